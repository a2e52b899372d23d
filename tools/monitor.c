// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec monitor: prints the events of the "monitor" multicast group, one
 * line each, with --renew extends tx PTK ID reservations that run low, and
 * with --exec runs a command for each chosen event, one at a time.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <linux/pc5sec.h>

#include "ipc.h"
#include "names.h"
#include "pc5sec.h"
#include "print.h"
#include "state.h"

#define EV_RX_SIZE 32768

/* --on's names beyond the kernel's events: bits past its commands */
#define EV_RENEWED	62
#define EV_LOST		63
/* Not unknown-pgk: anyone in radio range can raise it, once a second */
#define EV_DEFAULT	(1ull << PC5SEC_CMD_KEY_SOFT_EXPIRED_NTF |	\
			 1ull << PC5SEC_CMD_KEY_EXPIRED_NTF |		\
			 1ull << PC5SEC_CMD_KEY_TX_LOW_NTF |		\
			 1ull << PC5SEC_CMD_KEY_TX_EXHAUSTED_NTF)
_Static_assert(__PC5SEC_CMD_MAX <= EV_RENEWED, "event bits");

struct monitor {
	bool json, renew;
	const char *exec;		/* --exec CMD */
	uint64_t on;			/* the events CMD runs for: bit per cmd */
	sigset_t orig;			/* the signal mask to give CMD */
	struct nl ev;			/* subscribed to "monitor" */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The event's key, if it carries attr */
static const struct key_info *event_key(const struct group_info *g,
					unsigned int attr)
{
	return g->nkeys && HAS(&g->keys[0], attr) ? &g->keys[0] : NULL;
}

/*
 * Runs --exec's command for the event with /bin/sh -c, its JSON line on
 * stdin and its fields in the environment, and waits for it: commands run
 * one at a time, in the order of the events. Events that arrive meanwhile
 * wait in the socket's receive buffer. The command's stdout goes to the
 * monitor's stderr, so that stdout carries events only.
 */
static void run_exec(const struct monitor *m, const char *event,
		     const struct group_info *g)
{
	char *line = event_json(event, g);
	int fds[2], status;
	size_t len;
	pid_t pid;

	if (!line || pipe2(fds, O_CLOEXEC)) {
		fprintf(stderr, "%s: monitor: cannot run the command for %s: %s\n",
			PROG_NAME, event, strerror(errno));
		free(line);
		return;
	}
	/* A line is far below the pipe's capacity: written before the fork,
	 * it never blocks, and a command that ignores stdin raises no SIGPIPE */
	len = strlen(line);
	line[len] = '\n';
	if (write(fds[1], line, len + 1) != (ssize_t)len + 1)
		fprintf(stderr, "%s: monitor: warning: %s's JSON line did not fit the command's stdin\n",
			PROG_NAME, event);
	close(fds[1]);
	free(line);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* The monitor's handlers must not take a signal meant for CMD */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if ((fds[0] == STDIN_FILENO ? fcntl(fds[0], F_SETFD, 0) :
		     dup2(fds[0], STDIN_FILENO)) < 0 ||
		    (fcntl(STDERR_FILENO, F_GETFD) >= 0 &&
		     dup2(STDERR_FILENO, STDOUT_FILENO) < 0))
			_exit(127);
		event_setenv(event, g);
		sigprocmask(SIG_SETMASK, &m->orig, NULL);
		execl("/bin/sh", "sh", "-c", m->exec, (char *)NULL);
		fprintf(stderr, "%s: monitor: cannot run /bin/sh: %s\n", PROG_NAME,
			strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	if (pid < 0) {
		fprintf(stderr, "%s: monitor: cannot run the command for %s: %s\n",
			PROG_NAME, event, strerror(errno));
		return;
	}
	/* SIGINT and SIGTERM are blocked here: they end the monitor after */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return;
	if (WIFEXITED(status) && WEXITSTATUS(status))
		fprintf(stderr, "%s: monitor: the command for %s exited with status %d\n",
			PROG_NAME, event, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "%s: monitor: the command for %s was killed by signal %d (%s)\n",
			PROG_NAME, event, WTERMSIG(status),
			strsignal(WTERMSIG(status)));
}

static bool selected(const struct monitor *m, unsigned int bit)
{
	return m->exec && bit < 64 && (m->on & (1ull << bit));
}

static const char *cmd_event(const struct group_info *g, char buf[24])
{
	const char *event = event_name(g->cmd);

	if (event)
		return event;
	snprintf(buf, 24, "cmd-%u", g->cmd);
	return buf;
}

/*
 * "renewed": the group address and member ID, the key's PGK ID and limit;
 * r is what --exec's command gets for it
 */
static void renewed(const struct monitor *m, const struct group_info *g,
		    struct key_info *k, struct group_info *r)
{
	*r = (struct group_info){ .addr = g->addr, .keys = k, .nkeys = 1 };
	field_set(&group_table, r, &r->has, PC5SEC_A_MEMBER_ID, g->member_id);
	print_event("renewed", r, m->json);
}

/*
 * Extends the reservation by a block, durably, then raises the limit; true
 * if it did, with r and set the "renewed" event
 */
static bool renew(struct monitor *m, const struct group_info *g,
		  struct key_info *set, struct group_info *r)
{
	const struct key_info *k = event_key(g, PC5SEC_KEY_A_TX_PTK_ID_LIMIT);
	char why[512], buf[ADDR_STRLEN];
	struct resv_id id;
	uint16_t limit;

	if (!g->addr.family || !HAS(g, PC5SEC_A_MEMBER_ID) || !k ||
	    !HAS(k, PC5SEC_KEY_A_PGK_ID)) {
		fprintf(stderr, "%s: warning: cannot extend the reservation for %s: the event lacks the member ID, PGK ID or PTK ID limit\n",
			PROG_NAME, addr_str(&g->addr, buf));
		return false;
	}
	id = (struct resv_id){ &g->addr, g->member_id, k->pgk_id };
	if (resv_extend(state_dir, &id, k->tx_ptk_id_limit, &limit, why,
			sizeof(why))) {
		fprintf(stderr, "%s: warning: cannot extend the reservation of PGK ID 0x%08x for member 0x%06x in group %s: %s\n",
			PROG_NAME, k->pgk_id, g->member_id,
			addr_str(&g->addr, buf), why);
		return false;
	}
	*set = (struct key_info){ 0 };
	field_set(&key_table, set, &set->has, PC5SEC_KEY_A_PGK_ID, k->pgk_id);
	field_set(&key_table, set, &set->has, PC5SEC_KEY_A_TX_PTK_ID_LIMIT, limit);
	if (ipc_key(PC5SEC_CMD_KEY_SET, &g->addr, set, NULL, "monitor: renew"))
		return false;
	renewed(m, g, set, r);
	return true;
}

/*
 * --renew after events were lost, and at the start: a tx-low or
 * tx-exhausted event is sent once, so each key that has one due is renewed
 * from a dump. resv_extend() renews a reservation only if it is still the
 * last one handed out, so a key renewed already is left alone.
 */
static void renew_due(struct monitor *m)
{
	struct group_list l = { 0 };
	struct group_info g, r;
	struct key_info set, *k;
	size_t i, j;

	if (ipc_groups(NULL, &l, "monitor: renew: cannot read the keys"))
		return;
	for (i = 0; i < l.n; i++) {
		for (j = 0; j < l.groups[i].nkeys; j++) {
			k = &l.groups[i].keys[j];
			if (k->state != PC5SEC_KEY_EXHAUSTED &&
			    k->tx_ptk_id_limit - k->tx_ptk_id >= RESV_BLOCK / 10)
				continue;
			g = l.groups[i];
			g.keys = k;
			g.nkeys = 1;
			if (renew(m, &g, &set, &r) && selected(m, EV_RENEWED))
				run_exec(m, "renewed", &r);
		}
	}
	group_list_free(&l);
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;
	struct group_info g, r;
	struct key_info set;
	bool done = false;
	char buf[24];

	if (nlh->nlmsg_type != m->ev.family)
		return MNL_CB_OK;
	if (group_parse(nlh, &g)) {
		fprintf(stderr, "%s: monitor: skipping a malformed event: %s\n",
			PROG_NAME, strerror(errno));
		return MNL_CB_OK;
	}
	print_event(cmd_event(&g, buf), &g, m->json);
	/* Renewal first, then the commands, in the order of the lines */
	if (m->renew && (g.cmd == PC5SEC_CMD_KEY_TX_LOW_NTF ||
			 g.cmd == PC5SEC_CMD_KEY_TX_EXHAUSTED_NTF))
		done = renew(m, &g, &set, &r);
	if (selected(m, g.cmd))
		run_exec(m, cmd_event(&g, buf), &g);
	if (done && selected(m, EV_RENEWED))
		run_exec(m, "renewed", &r);
	group_free(&g);
	return MNL_CB_OK;
}

/* Reads events until SIGINT or SIGTERM, which only arrive in ppoll() */
static int run(struct monitor *m)
{
	static _Alignas(8) char buf[EV_RX_SIZE];
	static const struct group_info none;
	struct pollfd pfd = { mnl_socket_get_fd(m->ev.sock), POLLIN, 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;
	ssize_t len;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &m->orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (m->renew)
		renew_due(m);
	while (!stop) {
		if (ppoll(&pfd, 1, NULL, &m->orig) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len = mnl_socket_recvfrom(m->ev.sock, buf, sizeof(buf));
		if (len < 0 && errno == ENOBUFS) {
			fprintf(stderr, "%s: monitor: events were lost (a full receive buffer, or the kernel out of memory)\n",
				PROG_NAME);
			if (m->renew)
				renew_due(m);
			/* Whatever the command waits for may be among them */
			if (m->exec)
				run_exec(m, "lost", &none);
			continue;
		}
		if (len < 0 && errno != EINTR && errno != EAGAIN)
			break;
		if (len > 0)
			mnl_cb_run(buf, len, 0, 0, event_cb, m);
	}
	if (stop)
		return 0;
	fprintf(stderr, "%s: monitor: %s\n", PROG_NAME, strerror(errno));
	return -1;
}

/* --on's list: names of events, comma-separated; 0 if one is unknown */
static uint64_t parse_on(const char *list)
{
	char *copy = strdup(list), *name, *save = NULL;
	uint64_t on = 0;
	unsigned int c;

	if (!copy)
		return 0;
	for (name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		for (c = 0; c < __PC5SEC_CMD_MAX; c++)
			if (event_name(c) && !strcmp(event_name(c), name))
				break;
		if (c < __PC5SEC_CMD_MAX)
			on |= 1ull << c;
		else if (!strcmp(name, "renewed"))
			on |= 1ull << EV_RENEWED;
		else if (!strcmp(name, "lost"))
			on |= 1ull << EV_LOST;
		else {
			fprintf(stderr, "%s: monitor: --on: unknown event '%s' (see pc5sec(8), EVENTS)\n",
				PROG_NAME, name);
			on = 0;
			break;
		}
	}
	free(copy);
	if (!on && !name)
		fprintf(stderr, "%s: monitor: --on needs a comma-separated list of events\n",
			PROG_NAME);
	return on;
}

/* "--opt VALUE" or "--opt=VALUE" at argv[*i]; NULL if it is not opt */
static const char *opt_value(int argc, char *argv[], int *i, const char *opt,
			     bool *missing)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

int cmd_monitor(int argc, char *argv[])
{
	struct monitor m = { 0 };
	const char *on = NULL, *v;
	bool missing = false;
	struct nl *nl;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			m.json = true;
		} else if (!strcmp(argv[i], "--renew")) {
			m.renew = true;
		} else if ((v = opt_value(argc, argv, &i, "--exec", &missing))) {
			m.exec = v;
		} else if ((v = opt_value(argc, argv, &i, "--on", &missing))) {
			on = v;
		} else if (missing) {
			fprintf(stderr, "%s: monitor: %s needs a value\n", PROG_NAME,
				argv[i]);
			return 1;
		} else {
			fprintf(stderr, "%s: monitor: unexpected '%s' (see '%s monitor --help')\n",
				PROG_NAME, argv[i], PROG_NAME);
			return 1;
		}
	}
	if (m.exec && !*m.exec) {
		fprintf(stderr, "%s: monitor: --exec needs a command\n", PROG_NAME);
		return 1;
	}
	if (on && !m.exec) {
		fprintf(stderr, "%s: monitor: --on chooses the events for --exec, which is missing\n",
			PROG_NAME);
		return 1;
	}
	m.on = on ? parse_on(on) : EV_DEFAULT;
	if (!m.on)
		return 1;
	/* Lost events may include any chosen one: "lost" always runs it */
	m.on |= 1ull << EV_LOST;
	/* Inherited as ignored, SIGCHLD would hide the commands' status */
	if (m.exec)
		signal(SIGCHLD, SIG_DFL);
	nl = ipc_handle();
	if (!nl || nl_listen(&m.ev, nl))
		return 1;
	ret = run(&m);
	nl_close(&m.ev);
	return ret ? 1 : 0;
}
