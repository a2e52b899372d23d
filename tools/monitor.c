// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec monitor: prints the events of the "monitor" multicast group, one
 * line each, and with --renew extends tx PTK ID reservations that run low.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/pc5sec.h>

#include "ipc.h"
#include "names.h"
#include "pc5sec.h"
#include "print.h"
#include "state.h"

#define EV_RX_SIZE 32768

struct monitor {
	bool json, renew;
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

static void print_cmd(const struct monitor *m, const struct group_info *g)
{
	char buf[24];
	const char *event = event_name(g->cmd);

	if (!event) {
		snprintf(buf, sizeof(buf), "cmd-%u", g->cmd);
		event = buf;
	}
	print_event(event, g, m->json);
}

/* "renewed": the group address and member ID, the key's PGK ID and limit */
static void print_renewed(const struct monitor *m, const struct group_info *g,
			  struct key_info *k)
{
	struct group_info r = { .addr = g->addr, .keys = k, .nkeys = 1 };

	field_set(&group_table, &r, &r.has, PC5SEC_A_MEMBER_ID, g->member_id);
	print_event("renewed", &r, m->json);
}

/* Extends the reservation by a block, durably, then raises the limit */
static void renew(struct monitor *m, const struct group_info *g)
{
	const struct key_info *k = event_key(g, PC5SEC_KEY_A_TX_PTK_ID_LIMIT);
	char why[512], buf[ADDR_STRLEN];
	struct key_info set;
	struct resv_id id;
	uint16_t limit;

	if (!g->addr.family || !HAS(g, PC5SEC_A_MEMBER_ID) || !k ||
	    !HAS(k, PC5SEC_KEY_A_PGK_ID)) {
		fprintf(stderr, "%s: warning: cannot extend the reservation for %s: the event lacks the member ID, PGK ID or PTK ID limit\n",
			PROG_NAME, addr_str(&g->addr, buf));
		return;
	}
	id = (struct resv_id){ &g->addr, g->member_id, k->pgk_id };
	if (resv_extend(state_dir, &id, k->tx_ptk_id_limit, &limit, why,
			sizeof(why))) {
		fprintf(stderr, "%s: warning: cannot extend the reservation of PGK ID 0x%08x for member 0x%06x in group %s: %s\n",
			PROG_NAME, k->pgk_id, g->member_id,
			addr_str(&g->addr, buf), why);
		return;
	}
	set = (struct key_info){ 0 };
	field_set(&key_table, &set, &set.has, PC5SEC_KEY_A_PGK_ID, k->pgk_id);
	field_set(&key_table, &set, &set.has, PC5SEC_KEY_A_TX_PTK_ID_LIMIT, limit);
	if (!ipc_key(PC5SEC_CMD_KEY_SET, &g->addr, &set, NULL, "monitor: renew"))
		print_renewed(m, g, &set);
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;
	struct group_info g;

	if (nlh->nlmsg_type != m->ev.family)
		return MNL_CB_OK;
	if (group_parse(nlh, &g)) {
		fprintf(stderr, "%s: monitor: skipping a malformed event: %s\n",
			PROG_NAME, strerror(errno));
		return MNL_CB_OK;
	}
	print_cmd(m, &g);
	if (m->renew && (g.cmd == PC5SEC_CMD_KEY_TX_LOW_NTF ||
			 g.cmd == PC5SEC_CMD_KEY_TX_EXHAUSTED_NTF))
		renew(m, &g);
	group_free(&g);
	return MNL_CB_OK;
}

/* Reads events until SIGINT or SIGTERM, which only arrive in ppoll() */
static int run(struct monitor *m)
{
	static _Alignas(8) char buf[EV_RX_SIZE];
	struct pollfd pfd = { mnl_socket_get_fd(m->ev.sock), POLLIN, 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, orig;
	ssize_t len;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop) {
		if (ppoll(&pfd, 1, NULL, &orig) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len = mnl_socket_recvfrom(m->ev.sock, buf, sizeof(buf));
		if (len < 0 && errno == ENOBUFS) {
			fprintf(stderr, "%s: monitor: events were lost (a full receive buffer, or the kernel out of memory)\n",
				PROG_NAME);
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

int cmd_monitor(int argc, char *argv[])
{
	struct monitor m = { 0 };
	struct nl *nl;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			m.json = true;
		} else if (!strcmp(argv[i], "--renew")) {
			m.renew = true;
		} else {
			fprintf(stderr, "%s: monitor: unexpected '%s' (see '%s monitor --help')\n",
				PROG_NAME, argv[i], PROG_NAME);
			return 1;
		}
	}
	nl = ipc_handle();
	if (!nl || nl_listen(&m.ev, nl))
		return 1;
	ret = run(&m);
	nl_close(&m.ev);
	return ret ? 1 : 0;
}
