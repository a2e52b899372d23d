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

#include "json.h"
#include "model.h"
#include "names.h"
#include "nl.h"
#include "pc5sec.h"
#include "state.h"

#define EV_RX_SIZE 32768

struct monitor {
	bool json, renew;
	struct nl ev;			/* subscribed to "monitor" */
	struct nl ctl;			/* sends KEY_SET for --renew */
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

#define KEY_HAS(g, attr) (event_key(g, attr) != NULL)

static void print_json(const struct group_info *g, const char *event)
{
	const struct key_info *k = g->keys;
	char buf[ADDR_STRLEN];
	struct json j;

	json_init(&j, stdout);
	json_obj(&j, NULL);
	json_str(&j, "event", event);
	json_str(&j, "address", g->addr.family ? addr_str(&g->addr, buf) : NULL);
	if (KEY_HAS(g, PC5SEC_KEY_A_PGK_ID))
		json_u64(&j, "pgk_id", k->pgk_id);
	if (KEY_HAS(g, PC5SEC_KEY_A_INDEX))
		json_u64(&j, "index", k->index);
	if (HAS(g, PC5SEC_A_SENDER_ID))
		json_u64(&j, "sender_id", g->sender_id);
	if (HAS(g, PC5SEC_A_MEMBER_ID))
		json_u64(&j, "member_id", g->member_id);
	if (KEY_HAS(g, PC5SEC_KEY_A_TX_PTK_ID))
		json_u64(&j, "tx_ptk_id", k->tx_ptk_id);
	if (KEY_HAS(g, PC5SEC_KEY_A_TX_PTK_ID_LIMIT))
		json_u64(&j, "tx_ptk_id_limit", k->tx_ptk_id_limit);
	json_end_obj(&j);
}

static void print_text(const struct group_info *g, const char *event)
{
	const struct key_info *k = g->keys;
	char buf[ADDR_STRLEN];

	printf("%s %s", event, addr_str(&g->addr, buf));
	if (KEY_HAS(g, PC5SEC_KEY_A_PGK_ID))
		printf(" pgk-id 0x%08x", k->pgk_id);
	if (KEY_HAS(g, PC5SEC_KEY_A_INDEX))
		printf(" index %u", k->index);
	if (HAS(g, PC5SEC_A_SENDER_ID))
		printf(" sender-id 0x%06x", g->sender_id);
	if (HAS(g, PC5SEC_A_MEMBER_ID))
		printf(" member-id 0x%06x", g->member_id);
	if (KEY_HAS(g, PC5SEC_KEY_A_TX_PTK_ID))
		printf(" tx-ptk-id %u", k->tx_ptk_id);
	if (KEY_HAS(g, PC5SEC_KEY_A_TX_PTK_ID_LIMIT))
		printf(" tx-ptk-limit %u", k->tx_ptk_id_limit);
	printf("\n");
}

static void print_event(const struct monitor *m, const struct group_info *g)
{
	char buf[24];
	const char *event = event_name(g->cmd);

	if (!event) {
		snprintf(buf, sizeof(buf), "cmd-%u", g->cmd);
		event = buf;
	}
	if (m->json)
		print_json(g, event);
	else
		print_text(g, event);
	fflush(stdout);
}

static int send_key_set(struct monitor *m, const struct group_info *g,
			uint32_t pgk_id, uint16_t limit)
{
	_Alignas(8) char buf[NL_TX_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = nl_msg(&m->ctl, buf, PC5SEC_CMD_KEY_SET, NLM_F_ACK);
	addr_put(nlh, &g->addr);
	nest = mnl_attr_nest_start(nlh, PC5SEC_A_KEY);
	mnl_attr_put_u32(nlh, PC5SEC_KEY_A_PGK_ID, pgk_id);
	mnl_attr_put_u16(nlh, PC5SEC_KEY_A_TX_PTK_ID_LIMIT, limit);
	mnl_attr_nest_end(nlh, nest);
	return nl_talk(&m->ctl, nlh, NULL, NULL, "monitor: renew");
}

static void print_renewed(const struct monitor *m, const struct group_info *g,
			  uint32_t pgk_id, uint16_t limit)
{
	char buf[ADDR_STRLEN];
	struct json j;

	if (!m->json) {
		printf("renewed %s pgk-id 0x%08x member-id 0x%06x tx-ptk-limit %u\n",
		       addr_str(&g->addr, buf), pgk_id, g->member_id, limit);
	} else {
		json_init(&j, stdout);
		json_obj(&j, NULL);
		json_str(&j, "event", "renewed");
		json_str(&j, "address", addr_str(&g->addr, buf));
		json_u64(&j, "pgk_id", pgk_id);
		json_u64(&j, "member_id", g->member_id);
		json_u64(&j, "tx_ptk_id_limit", limit);
		json_end_obj(&j);
	}
	fflush(stdout);
}

/* Extends the reservation by a block, durably, then raises the limit */
static void renew(struct monitor *m, const struct group_info *g)
{
	const struct key_info *k = event_key(g, PC5SEC_KEY_A_TX_PTK_ID_LIMIT);
	char why[512], buf[ADDR_STRLEN];
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
	if (!send_key_set(m, g, k->pgk_id, limit))
		print_renewed(m, g, k->pgk_id, limit);
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
	print_event(m, &g);
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
			fprintf(stderr, "%s: monitor: events were lost (receive buffer full)\n",
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
	if (nl_connect(&m.ev))
		return 1;
	ret = nl_subscribe(&m.ev);
	if (!ret && m.renew)
		ret = nl_connect(&m.ctl);
	if (!ret)
		ret = run(&m);
	nl_close(&m.ctl);
	nl_close(&m.ev);
	return ret ? 1 : 0;
}
