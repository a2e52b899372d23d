// SPDX-License-Identifier: GPL-2.0
/*
 * The pc5sec generic netlink family: groups, keys, statistics and events.
 *
 * Every command needs CAP_NET_ADMIN over the namespace, changes happen
 * under pc5_net.lock, and no message ever carries key material: a PGK
 * arrives in KEY_NEW and is wiped from the request before it returns, or
 * is taken from a logon key in the caller's keyrings.
 */

#include <linux/netdevice.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

#include "group.h"
#include "key.h"
#include "netlink.h"

#define PC5_MAX_GROUPS 16384

static struct netlink_range_validation pc5_id24_range = {
	.max = PC5SEC_GROUP_ID_MAX,
};

static const struct nla_policy pc5_key_policy[PC5SEC_KEY_A_MAX + 1] = {
	[PC5SEC_KEY_A_PGK_ID] = { .type = NLA_U32 },
	[PC5SEC_KEY_A_INDEX] = { .type = NLA_REJECT,
				 .reject_message = "the PGK index is the PGK ID's low octet" },
	[PC5SEC_KEY_A_PGK] = NLA_POLICY_EXACT_LEN(PC5SEC_PGK_LEN),
	[PC5SEC_KEY_A_SUITE] = NLA_POLICY_MAX(NLA_U8, PC5SEC_SUITE_MAX),
	[PC5SEC_KEY_A_NOT_BEFORE] = NLA_POLICY_MIN(NLA_S64, 0),
	[PC5SEC_KEY_A_SOFT_EXPIRES] = NLA_POLICY_MIN(NLA_S64, 0),
	[PC5SEC_KEY_A_EXPIRES] = NLA_POLICY_MIN(NLA_S64, 0),
	[PC5SEC_KEY_A_TX_PTK_ID] = { .type = NLA_U16 },
	[PC5SEC_KEY_A_TX_PTK_ID_LIMIT] = { .type = NLA_U16 },
	[PC5SEC_KEY_A_TX_COUNTER] = { .type = NLA_REJECT,
				      .reject_message = "read-only attribute" },
	[PC5SEC_KEY_A_STATE] = { .type = NLA_REJECT,
				 .reject_message = "read-only attribute" },
	[PC5SEC_KEY_A_STATS] = { .type = NLA_REJECT,
				 .reject_message = "read-only attribute" },
	[PC5SEC_KEY_A_RX_SENDERS] = { .type = NLA_REJECT,
				      .reject_message = "read-only attribute" },
	[PC5SEC_KEY_A_KEYRING] = { .type = NLA_NUL_STRING, .len = PC5SEC_KEYRING_DESC_MAX },
	[PC5SEC_KEY_A_CHECK] = { .type = NLA_REJECT,
				 .reject_message = "read-only attribute" },
	[PC5SEC_KEY_A_USERDATA] = { .type = NLA_BINARY, .len = PC5SEC_KEY_USERDATA_MAX },
};

/* Group commands: the group's own attributes only. */
static const struct nla_policy pc5_group_policy[PC5SEC_A_MAX + 1] = {
	[PC5SEC_A_GROUP_ADDR4] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[PC5SEC_A_GROUP_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[PC5SEC_A_GROUP_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &pc5_id24_range),
	[PC5SEC_A_MEMBER_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &pc5_id24_range),
	[PC5SEC_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[PC5SEC_A_BEARER] = NLA_POLICY_MAX(NLA_U8, PC5SEC_BEARER_MAX),
	[PC5SEC_A_REPLAY_WINDOW] = NLA_POLICY_MAX(NLA_U32, PC5SEC_REPLAY_WINDOW_MAX),
	[PC5SEC_A_PLAINTEXT] = NLA_POLICY_MAX(NLA_U8, PC5SEC_PLAINTEXT_ACCEPT),
};

/* Key commands: the group's address and one key. */
static const struct nla_policy pc5_key_cmd_policy[PC5SEC_A_MAX + 1] = {
	[PC5SEC_A_GROUP_ADDR4] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[PC5SEC_A_GROUP_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[PC5SEC_A_KEY] = NLA_POLICY_NESTED(pc5_key_policy),
};

static struct genl_family pc5_family;

static struct pc5_net *pc5_nl_net(struct genl_info *info)
{
	return pc5_net(genl_info_net(info));
}

static int pc5_nl_parse_addr(struct genl_info *info, struct pc5_addr *addr)
{
	struct nlattr *a4 = info->attrs[PC5SEC_A_GROUP_ADDR4];
	struct nlattr *a6 = info->attrs[PC5SEC_A_GROUP_ADDR6];

	memset(addr, 0, sizeof(*addr));
	if (a4 && a6) {
		NL_SET_ERR_MSG(info->extack, "give one group address, IPv4 or IPv6");
		return -EINVAL;
	}
	if (!a4 && !a6) {
		NL_SET_ERR_MSG(info->extack, "group address missing");
		return -EINVAL;
	}
	if (a4) {
		addr->family = AF_INET;
		addr->v4 = nla_get_in_addr(a4);
		if (!ipv4_is_multicast(addr->v4)) {
			NL_SET_ERR_MSG_ATTR(info->extack, a4,
					    "a group address must be an IPv4 multicast address");
			return -EINVAL;
		}
	} else {
		addr->family = AF_INET6;
		addr->v6 = nla_get_in6_addr(a6);
		if (!ipv6_addr_is_multicast(&addr->v6)) {
			NL_SET_ERR_MSG_ATTR(info->extack, a6,
					    "a group address must be an IPv6 multicast address");
			return -EINVAL;
		}
	}
	return 0;
}

/* The group named by the request, or an ERR_PTR(); under pc5_net.lock. */
static struct pc5_group *pc5_nl_get_group(struct pc5_net *pn, struct genl_info *info)
{
	struct pc5_addr addr;
	struct pc5_group *g;
	int err;

	err = pc5_nl_parse_addr(info, &addr);
	if (err)
		return ERR_PTR(err);
	g = pc5_group_lookup(pn, &addr);
	if (!g) {
		NL_SET_ERR_MSG(info->extack, "no such group");
		return ERR_PTR(-ENOENT);
	}
	return g;
}

static int pc5_nl_put_addr(struct sk_buff *skb, const struct pc5_addr *addr)
{
	if (addr->family == AF_INET)
		return nla_put_in_addr(skb, PC5SEC_A_GROUP_ADDR4, addr->v4);
	return nla_put_in6_addr(skb, PC5SEC_A_GROUP_ADDR6, &addr->v6);
}

static int pc5_nl_put_stats(struct sk_buff *skb, int type,
			    struct pc5_stats __percpu *stats)
{
	u64 sum[__PC5SEC_STAT_MAX];
	struct nlattr *nest;
	int i;

	pc5_stats_read(stats, sum);
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = PC5SEC_STAT_PAD + 1; i < __PC5SEC_STAT_MAX; i++) {
		if (nla_put_u64_64bit(skb, i, sum[i], PC5SEC_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static size_t pc5_nl_stats_size(void)
{
	return nla_total_size(0) +
	       (__PC5SEC_STAT_MAX - PC5SEC_STAT_PAD - 1) * nla_total_size_64bit(sizeof(u64));
}

static size_t pc5_nl_key_size(void)
{
	return nla_total_size(0) +			/* PC5SEC_A_KEY */
	       nla_total_size(sizeof(u32)) +		/* PGK_ID */
	       2 * nla_total_size(sizeof(u8)) +		/* INDEX, SUITE */
	       3 * nla_total_size_64bit(sizeof(s64)) +	/* times */
	       3 * nla_total_size(sizeof(u16)) +	/* tx position */
	       nla_total_size(sizeof(u8)) +		/* STATE */
	       nla_total_size(sizeof(u32)) +		/* RX_SENDERS */
	       nla_total_size(PC5SEC_KEYRING_DESC_MAX + 1) +
	       nla_total_size(PC5SEC_KEY_CHECK_LEN) +
	       nla_total_size(PC5SEC_KEY_USERDATA_MAX) +
	       pc5_nl_stats_size();
}

/* The largest group message: every key, and statistics. */
static size_t pc5_nl_group_size(void)
{
	return nla_total_size(sizeof(struct in6_addr)) +
	       4 * nla_total_size(sizeof(u32)) +	/* IDs, ifindex, window */
	       2 * nla_total_size(sizeof(u8)) +		/* bearer, plaintext */
	       pc5_nl_stats_size() +
	       nla_total_size(0) + PC5SEC_MAX_KEYS * pc5_nl_key_size();
}

/* A key's attributes; with stats, also its state and counters. */
static int pc5_nl_put_key(struct sk_buff *skb, struct pc5_key *k, bool full)
{
	struct nlattr *nest;
	u16 ptk_id, counter, limit;

	spin_lock_bh(&k->tx_lock);
	ptk_id = k->tx_ptk_id;
	counter = k->tx_counter;
	limit = k->tx_ptk_limit;
	spin_unlock_bh(&k->tx_lock);

	nest = nla_nest_start(skb, PC5SEC_A_KEY);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, PC5SEC_KEY_A_PGK_ID, k->pgk_id) ||
	    nla_put_u8(skb, PC5SEC_KEY_A_INDEX, k->index) ||
	    nla_put_u16(skb, PC5SEC_KEY_A_TX_PTK_ID, ptk_id) ||
	    nla_put_u16(skb, PC5SEC_KEY_A_TX_PTK_ID_LIMIT, limit))
		goto cancel;
	if (full) {
		if (nla_put_u8(skb, PC5SEC_KEY_A_SUITE, k->suite) ||
		    nla_put_s64(skb, PC5SEC_KEY_A_NOT_BEFORE, k->not_before,
				PC5SEC_KEY_A_PAD) ||
		    (k->soft_expires != S64_MAX &&
		     nla_put_s64(skb, PC5SEC_KEY_A_SOFT_EXPIRES, k->soft_expires,
				 PC5SEC_KEY_A_PAD)) ||
		    (k->expires != S64_MAX &&
		     nla_put_s64(skb, PC5SEC_KEY_A_EXPIRES, k->expires,
				 PC5SEC_KEY_A_PAD)) ||
		    nla_put_u16(skb, PC5SEC_KEY_A_TX_COUNTER, counter) ||
		    nla_put_u8(skb, PC5SEC_KEY_A_STATE,
			       pc5_key_state(k, ktime_get_real_seconds())) ||
		    nla_put_u32(skb, PC5SEC_KEY_A_RX_SENDERS, READ_ONCE(k->nsenders)) ||
		    nla_put(skb, PC5SEC_KEY_A_CHECK, sizeof(k->check), k->check) ||
		    (k->keyring &&
		     nla_put_string(skb, PC5SEC_KEY_A_KEYRING, k->keyring)) ||
		    (k->userdata &&
		     nla_put(skb, PC5SEC_KEY_A_USERDATA, k->userdata_len, k->userdata)) ||
		    pc5_nl_put_stats(skb, PC5SEC_KEY_A_STATS, k->stats))
			goto cancel;
	}
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* Who a group message is for, and how much of the group it carries. */
struct pc5_nl_dest {
	u32 portid;
	u32 seq;
	int flags;
	u8 cmd;
	bool full;			/* statistics and keys too */
	struct netlink_callback *cb;	/* a dump's */
};

/* A group message. Under pc5_net.lock. */
static int pc5_nl_fill_group(struct sk_buff *skb, struct pc5_net *pn, struct pc5_group *g,
			     const struct pc5_nl_dest *to)
{
	struct nlattr *keys;
	struct pc5_key *k;
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put(skb, to->portid, to->seq, &pc5_family, to->flags, to->cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (to->cb)
		genl_dump_check_consistent(to->cb, hdr);
	if (pc5_nl_put_addr(skb, &g->addr) ||
	    nla_put_u32(skb, PC5SEC_A_GROUP_ID, g->group_id) ||
	    nla_put_u32(skb, PC5SEC_A_MEMBER_ID, g->member_id) ||
	    (g->ifindex && nla_put_u32(skb, PC5SEC_A_IFINDEX, g->ifindex)) ||
	    nla_put_u8(skb, PC5SEC_A_BEARER, g->bearer) ||
	    nla_put_u32(skb, PC5SEC_A_REPLAY_WINDOW, READ_ONCE(g->replay_window)) ||
	    nla_put_u8(skb, PC5SEC_A_PLAINTEXT, READ_ONCE(g->plaintext)))
		goto cancel;
	if (to->full) {
		if (pc5_nl_put_stats(skb, PC5SEC_A_STATS, g->stats))
			goto cancel;
		keys = nla_nest_start(skb, PC5SEC_A_KEYS);
		if (!keys)
			goto cancel;
		for (i = 0; i < PC5SEC_MAX_KEYS; i++) {
			k = pc5_group_key(pn, g, i);
			if (k && pc5_nl_put_key(skb, k, true))
				goto cancel;
		}
		nla_nest_end(skb, keys);
	}
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static void pc5_nl_multicast(struct pc5_net *pn, struct sk_buff *skb, gfp_t gfp)
{
	genlmsg_multicast_netns(&pc5_family, pn->net, skb, 0, 0, gfp);
}

/*
 * An event that could not be made (out of memory): as rtnetlink does, its
 * listeners get ENOBUFS, so that they know they missed one and can dump.
 */
static void pc5_nl_lost(struct pc5_net *pn, struct sk_buff *skb)
{
	nlmsg_free(skb);
	genl_set_err(&pc5_family, pn->net, 0, 0, -ENOBUFS);
}

void pc5_nl_notify_group(struct pc5_net *pn, struct pc5_group *g, u8 cmd)
{
	struct pc5_nl_dest to = { .cmd = cmd };
	struct sk_buff *skb;

	if (!genl_has_listeners(&pc5_family, pn->net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb || pc5_nl_fill_group(skb, pn, g, &to)) {
		pc5_nl_lost(pn, skb);
		return;
	}
	pc5_nl_multicast(pn, skb, GFP_KERNEL);
}

/* Key events carry the group address, own member ID and the key's tx position. */
void pc5_nl_notify_key(struct pc5_net *pn, struct pc5_group *g,
		       struct pc5_key *k, u8 cmd, gfp_t gfp)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&pc5_family, pn->net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, gfp);
	hdr = skb ? genlmsg_put(skb, 0, 0, &pc5_family, 0, cmd) : NULL;
	if (!hdr ||
	    pc5_nl_put_addr(skb, &g->addr) ||
	    nla_put_u32(skb, PC5SEC_A_MEMBER_ID, g->member_id) ||
	    pc5_nl_put_key(skb, k, false)) {
		pc5_nl_lost(pn, skb);
		return;
	}
	genlmsg_end(skb, hdr);
	pc5_nl_multicast(pn, skb, gfp);
}

/*
 * Datapath events come at most once a second per namespace and kind, so
 * that a flood of datagrams does not become a flood of events: received
 * (UNKNOWN_PGK_NTF, which anyone in radio range can cause) and sent
 * (NO_TX_KEY_NTF), each with its own limit, so that the first cannot
 * silence the second.
 */
static bool pc5_nl_event_allowed(struct pc5_net *pn, u8 cmd)
{
	unsigned long *stamp = &pn->event_ratelimit[cmd == PC5SEC_CMD_NO_TX_KEY_NTF];
	unsigned long last = READ_ONCE(*stamp);

	if (time_before(jiffies, last + HZ))
		return false;
	return cmpxchg(stamp, last, jiffies) == last;
}

/* Datapath events: the group, and a PGK index and sender where they apply. */
void pc5_nl_notify_datapath(struct pc5_net *pn, struct pc5_group *g, u8 cmd,
			    int index, u32 sender_id)
{
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	if (!pc5_nl_event_allowed(pn, cmd) || !genl_has_listeners(&pc5_family, pn->net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	hdr = skb ? genlmsg_put(skb, 0, 0, &pc5_family, 0, cmd) : NULL;
	if (!hdr || pc5_nl_put_addr(skb, &g->addr) ||
	    nla_put_u32(skb, PC5SEC_A_MEMBER_ID, g->member_id))
		goto free;
	if (index >= 0) {
		if (nla_put_u32(skb, PC5SEC_A_SENDER_ID, sender_id))
			goto free;
		nest = nla_nest_start(skb, PC5SEC_A_KEY);
		if (!nest || nla_put_u8(skb, PC5SEC_KEY_A_INDEX, index))
			goto free;
		nla_nest_end(skb, nest);
	}
	genlmsg_end(skb, hdr);
	pc5_nl_multicast(pn, skb, GFP_ATOMIC);
	return;
free:
	pc5_nl_lost(pn, skb);
}

static int pc5_nl_group_new(struct sk_buff *skb, struct genl_info *info)
{
	struct pc5_net *pn = pc5_nl_net(info);
	struct nlattr **attrs = info->attrs;
	struct net_device *dev;
	struct pc5_group *g;
	struct pc5_addr addr;
	int err;

	err = pc5_nl_parse_addr(info, &addr);
	if (err)
		return err;
	if (!attrs[PC5SEC_A_GROUP_ID] || !attrs[PC5SEC_A_MEMBER_ID]) {
		NL_SET_ERR_MSG(info->extack, "a group needs a Group ID and a member ID");
		return -EINVAL;
	}
	if (attrs[PC5SEC_A_IFINDEX]) {
		dev = dev_get_by_index(genl_info_net(info),
				       nla_get_u32(attrs[PC5SEC_A_IFINDEX]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[PC5SEC_A_IFINDEX],
					    "no such interface");
			return -ENODEV;
		}
		dev_put(dev);
	}

	g = pc5_group_create();
	if (!g) {
		NL_SET_ERR_MSG(info->extack, "out of memory for the group");
		return -ENOMEM;
	}
	g->addr = addr;
	g->group_id = nla_get_u32(attrs[PC5SEC_A_GROUP_ID]);
	g->member_id = nla_get_u32(attrs[PC5SEC_A_MEMBER_ID]);
	if (attrs[PC5SEC_A_IFINDEX])
		g->ifindex = nla_get_u32(attrs[PC5SEC_A_IFINDEX]);
	if (attrs[PC5SEC_A_BEARER])
		g->bearer = nla_get_u8(attrs[PC5SEC_A_BEARER]);
	if (attrs[PC5SEC_A_REPLAY_WINDOW])
		g->replay_window = nla_get_u32(attrs[PC5SEC_A_REPLAY_WINDOW]);
	if (attrs[PC5SEC_A_PLAINTEXT])
		g->plaintext = nla_get_u8(attrs[PC5SEC_A_PLAINTEXT]);

	mutex_lock(&pn->lock);
	if (pc5_group_lookup(pn, &addr)) {
		NL_SET_ERR_MSG(info->extack, "the group exists");
		err = -EEXIST;
	} else if (pn->ngroups >= PC5_MAX_GROUPS) {
		NL_SET_ERR_MSG(info->extack, "too many groups in this namespace");
		err = -ENOSPC;
	} else {
		pc5_group_insert(pn, g);
		pc5_nl_notify_group(pn, g, PC5SEC_CMD_GROUP_NEW);
		g = NULL;
	}
	mutex_unlock(&pn->lock);
	if (g)
		pc5_group_put(g);
	return err;
}

static int pc5_nl_group_set(struct sk_buff *skb, struct genl_info *info)
{
	struct pc5_net *pn = pc5_nl_net(info);
	struct nlattr **attrs = info->attrs;
	struct pc5_group *g;
	int err;

	if (attrs[PC5SEC_A_GROUP_ID] || attrs[PC5SEC_A_MEMBER_ID] ||
	    attrs[PC5SEC_A_IFINDEX] || attrs[PC5SEC_A_BEARER]) {
		NL_SET_ERR_MSG(info->extack,
			       "only the replay window and the plaintext policy can change: delete and re-add the group");
		return -EINVAL;
	}
	if (!attrs[PC5SEC_A_REPLAY_WINDOW] && !attrs[PC5SEC_A_PLAINTEXT]) {
		NL_SET_ERR_MSG(info->extack, "nothing to change");
		return -EINVAL;
	}

	mutex_lock(&pn->lock);
	g = pc5_nl_get_group(pn, info);
	err = PTR_ERR_OR_ZERO(g);
	if (!err) {
		if (attrs[PC5SEC_A_REPLAY_WINDOW])
			WRITE_ONCE(g->replay_window,
				   nla_get_u32(attrs[PC5SEC_A_REPLAY_WINDOW]));
		if (attrs[PC5SEC_A_PLAINTEXT])
			WRITE_ONCE(g->plaintext, nla_get_u8(attrs[PC5SEC_A_PLAINTEXT]));
		pn->gen++;
	}
	mutex_unlock(&pn->lock);
	return err;
}

static int pc5_nl_group_del(struct sk_buff *skb, struct genl_info *info)
{
	struct pc5_net *pn = pc5_nl_net(info);
	struct pc5_group *g;
	int err;

	mutex_lock(&pn->lock);
	g = pc5_nl_get_group(pn, info);
	err = PTR_ERR_OR_ZERO(g);
	if (!err) {
		pc5_nl_notify_group(pn, g, PC5SEC_CMD_GROUP_DEL);
		pc5_group_remove(pn, g);
	}
	mutex_unlock(&pn->lock);
	return err;
}

static int pc5_nl_group_get(struct sk_buff *skb, struct genl_info *info)
{
	struct pc5_nl_dest to = {
		.portid = info->snd_portid,
		.seq = info->snd_seq,
		.cmd = PC5SEC_CMD_GROUP_GET,
		.full = true,
	};
	struct pc5_net *pn = pc5_nl_net(info);
	struct sk_buff *msg;
	struct pc5_group *g;
	int err;

	msg = genlmsg_new(pc5_nl_group_size(), GFP_KERNEL);
	if (!msg) {
		NL_SET_ERR_MSG(info->extack, "out of memory for the reply");
		return -ENOMEM;
	}
	mutex_lock(&pn->lock);
	g = pc5_nl_get_group(pn, info);
	err = PTR_ERR_OR_ZERO(g);
	if (!err)
		err = pc5_nl_fill_group(msg, pn, g, &to);
	mutex_unlock(&pn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int pc5_nl_group_dump_start(struct netlink_callback *cb)
{
	/* Room for the largest group in every part of the dump. */
	cb->min_dump_alloc = NLMSG_HDRLEN + GENL_HDRLEN + pc5_nl_group_size();
	return 0;
}

/* cb->args[0]: the hash bucket to resume in, args[1]: groups of it done. */
static int pc5_nl_group_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pc5_nl_dest to = {
		.portid = NETLINK_CB(cb->skb).portid,
		.seq = cb->nlh->nlmsg_seq,
		.flags = NLM_F_MULTI,
		.cmd = PC5SEC_CMD_GROUP_GET,
		.full = true,
		.cb = cb,
	};
	struct pc5_net *pn = pc5_net(sock_net(skb->sk));
	unsigned long bkt = cb->args[0], skip = cb->args[1], idx;
	struct pc5_group *g;
	int err = 0;

	mutex_lock(&pn->lock);
	cb->seq = pn->gen;
	for (; bkt < HASH_SIZE(pn->groups); bkt++, skip = 0) {
		idx = 0;
		hlist_for_each_entry(g, &pn->groups[bkt], node) {
			if (idx++ < skip)
				continue;
			err = pc5_nl_fill_group(skb, pn, g, &to);
			if (err) {
				idx--;
				goto out;
			}
		}
	}
	idx = 0;
out:
	mutex_unlock(&pn->lock);
	cb->args[0] = bkt;
	cb->args[1] = idx;
	/* A group too large even for an empty message must not end the dump quietly. */
	return err && !skb->len ? err : skb->len;
}

/* The KEY nest of a request, parsed; tb[] points into the request. */
static int pc5_nl_parse_key(struct genl_info *info, struct nlattr **tb)
{
	if (!info->attrs[PC5SEC_A_KEY]) {
		NL_SET_ERR_MSG(info->extack, "key attributes missing");
		return -EINVAL;
	}
	return nla_parse_nested(tb, PC5SEC_KEY_A_MAX, info->attrs[PC5SEC_A_KEY],
				pc5_key_policy, info->extack);
}

static int pc5_nl_key_check(struct genl_info *info, struct nlattr **tb,
			    struct pc5_key *k)
{
	s64 now = ktime_get_real_seconds();
	int err;

	if (!tb[PC5SEC_KEY_A_PGK_ID] || !tb[PC5SEC_KEY_A_SUITE] ||
	    (!tb[PC5SEC_KEY_A_PGK] && !tb[PC5SEC_KEY_A_KEYRING])) {
		NL_SET_ERR_MSG(info->extack,
			       "a key needs a PGK ID, a PGK (or a KEYRING naming one) and a suite");
		return -EINVAL;
	}
	if (tb[PC5SEC_KEY_A_PGK] && tb[PC5SEC_KEY_A_KEYRING]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[PC5SEC_KEY_A_KEYRING],
				    "give the PGK or a KEYRING naming it, not both");
		return -EINVAL;
	}
	k->pgk_id = nla_get_u32(tb[PC5SEC_KEY_A_PGK_ID]);
	k->index = PC5SEC_PGK_INDEX(k->pgk_id);
	k->suite = nla_get_u8(tb[PC5SEC_KEY_A_SUITE]);
	err = pc5_suite_check(k->suite, info->extack, tb[PC5SEC_KEY_A_SUITE]);
	if (err)
		return err;

	k->not_before = tb[PC5SEC_KEY_A_NOT_BEFORE] ?
			nla_get_s64(tb[PC5SEC_KEY_A_NOT_BEFORE]) : now;
	k->soft_expires = tb[PC5SEC_KEY_A_SOFT_EXPIRES] ?
			  nla_get_s64(tb[PC5SEC_KEY_A_SOFT_EXPIRES]) : S64_MAX;
	k->expires = tb[PC5SEC_KEY_A_EXPIRES] ?
		     nla_get_s64(tb[PC5SEC_KEY_A_EXPIRES]) : S64_MAX;
	if (k->expires <= now) {
		NL_SET_ERR_MSG(info->extack, "the key has expired already");
		return -EINVAL;
	}
	if (k->not_before >= k->expires) {
		NL_SET_ERR_MSG(info->extack, "not-before must come before the expiry");
		return -EINVAL;
	}
	if (tb[PC5SEC_KEY_A_SOFT_EXPIRES] && k->soft_expires > k->expires) {
		NL_SET_ERR_MSG(info->extack, "the soft expiry must not come after the expiry");
		return -EINVAL;
	}

	k->tx_ptk_id = tb[PC5SEC_KEY_A_TX_PTK_ID] ?
		       nla_get_u16(tb[PC5SEC_KEY_A_TX_PTK_ID]) : 0;
	k->tx_ptk_limit = tb[PC5SEC_KEY_A_TX_PTK_ID_LIMIT] ?
			  nla_get_u16(tb[PC5SEC_KEY_A_TX_PTK_ID_LIMIT]) : PC5SEC_PTK_ID_MAX;
	if (k->tx_ptk_limit < k->tx_ptk_id) {
		NL_SET_ERR_MSG(info->extack, "the tx PTK ID limit is below the first one");
		return -EINVAL;
	}
	return 0;
}

static int pc5_nl_key_new(struct sk_buff *skb, struct genl_info *info)
{
	struct pc5_net *pn = pc5_nl_net(info);
	struct nlattr *tb[PC5SEC_KEY_A_MAX + 1] = {};
	struct pc5_key *k = NULL, *old;
	struct pc5_group *g;
	int err;

	err = pc5_nl_parse_key(info, tb);
	if (err)
		goto out;
	k = pc5_key_create();
	if (!k) {
		NL_SET_ERR_MSG(info->extack, "out of memory for the key");
		err = -ENOMEM;
		goto out;
	}
	err = pc5_nl_key_check(info, tb, k);
	if (err)
		goto out;
	if (tb[PC5SEC_KEY_A_USERDATA] && nla_len(tb[PC5SEC_KEY_A_USERDATA])) {
		k->userdata = nla_memdup(tb[PC5SEC_KEY_A_USERDATA], GFP_KERNEL);
		if (!k->userdata) {
			NL_SET_ERR_MSG(info->extack, "out of memory for the key's user data");
			err = -ENOMEM;
			goto out;
		}
		k->userdata_len = nla_len(tb[PC5SEC_KEY_A_USERDATA]);
	}
	if (tb[PC5SEC_KEY_A_KEYRING]) {
		err = pc5_key_set_pgk_keyring(k, tb[PC5SEC_KEY_A_KEYRING], info->extack);
		if (err)
			goto out;
	} else {
		pc5_key_set_pgk(k, nla_data(tb[PC5SEC_KEY_A_PGK]));
	}

	mutex_lock(&pn->lock);
	g = pc5_nl_get_group(pn, info);
	err = PTR_ERR_OR_ZERO(g);
	if (err)
		goto unlock;
	old = pc5_key_find(pn, g, k->index);
	if (old) {
		if (old->pgk_id == k->pgk_id)
			NL_SET_ERR_MSG(info->extack,
				       "a key with this PGK ID exists: delete it first");
		else
			NL_SET_ERR_MSG(info->extack,
				       "another key of the group has this PGK index (the PGK ID's low octet)");
		err = -EEXIST;
		goto unlock;
	}
	err = pc5_key_install(pn, g, k);
	if (err == -ENOSPC) {
		NL_SET_ERR_MSG(info->extack,
			       "a group holds at most " __stringify(PC5SEC_MAX_KEYS) " keys");
		goto unlock;
	}
	if (err) {
		NL_SET_ERR_MSG(info->extack, "cannot set up the key's cipher");
		goto unlock;
	}
	pc5_nl_notify_key(pn, g, k, PC5SEC_CMD_KEY_NEW, GFP_KERNEL);
	k = NULL;
unlock:
	mutex_unlock(&pn->lock);
out:
	if (k)
		pc5_key_kill(k);
	if (tb[PC5SEC_KEY_A_PGK])
		memzero_explicit(nla_data(tb[PC5SEC_KEY_A_PGK]), PC5SEC_PGK_LEN);
	return err;
}

/*
 * The key the request names by PGK ID, and its group and slot, or an
 * ERR_PTR() with extack set; under pc5_net.lock.
 */
static struct pc5_key *pc5_nl_get_key(struct pc5_net *pn, struct genl_info *info,
				      struct nlattr **tb, struct pc5_group **g,
				      unsigned int *slot)
{
	struct pc5_key *k;

	if (!tb[PC5SEC_KEY_A_PGK_ID]) {
		NL_SET_ERR_MSG(info->extack, "PGK ID missing");
		return ERR_PTR(-EINVAL);
	}
	*g = pc5_nl_get_group(pn, info);
	if (IS_ERR(*g))
		return ERR_CAST(*g);
	k = pc5_key_find_id(pn, *g, nla_get_u32(tb[PC5SEC_KEY_A_PGK_ID]), slot);
	if (!k) {
		NL_SET_ERR_MSG(info->extack, "no key with this PGK ID in the group");
		return ERR_PTR(-ENOENT);
	}
	return k;
}

/*
 * The first key attribute but the PGK ID and @also (if not 0), or NULL;
 * a PGK sent by mistake is wiped.
 */
static const struct nlattr *pc5_nl_key_extra(struct nlattr **tb, unsigned int also)
{
	unsigned int i;

	if (tb[PC5SEC_KEY_A_PGK])
		memzero_explicit(nla_data(tb[PC5SEC_KEY_A_PGK]), nla_len(tb[PC5SEC_KEY_A_PGK]));
	for (i = 0; i <= PC5SEC_KEY_A_MAX; i++)
		if (tb[i] && i != PC5SEC_KEY_A_PGK_ID && (!also || i != also))
			return tb[i];
	return NULL;
}

static int pc5_nl_key_set(struct sk_buff *skb, struct genl_info *info)
{
	struct pc5_net *pn = pc5_nl_net(info);
	struct nlattr *tb[PC5SEC_KEY_A_MAX + 1];
	const struct nlattr *extra;
	struct pc5_group *g;
	struct pc5_key *k;
	u16 limit;
	int err;

	err = pc5_nl_parse_key(info, tb);
	if (err)
		return err;
	extra = pc5_nl_key_extra(tb, PC5SEC_KEY_A_TX_PTK_ID_LIMIT);
	if (extra) {
		NL_SET_ERR_MSG_ATTR(info->extack, extra,
				    "a key cannot change, but for raising its tx PTK ID limit");
		return -EINVAL;
	}
	if (!tb[PC5SEC_KEY_A_TX_PTK_ID_LIMIT]) {
		NL_SET_ERR_MSG(info->extack, "give the new tx PTK ID limit");
		return -EINVAL;
	}
	limit = nla_get_u16(tb[PC5SEC_KEY_A_TX_PTK_ID_LIMIT]);

	mutex_lock(&pn->lock);
	k = pc5_nl_get_key(pn, info, tb, &g, NULL);
	err = PTR_ERR_OR_ZERO(k);
	if (!err) {
		err = pc5_key_tx_raise(k, limit);
		if (err)
			NL_SET_ERR_MSG(info->extack, "the tx PTK ID limit can only be raised");
		else
			pn->gen++;
	}
	mutex_unlock(&pn->lock);
	return err;
}

static int pc5_nl_key_del(struct sk_buff *skb, struct genl_info *info)
{
	struct pc5_net *pn = pc5_nl_net(info);
	struct nlattr *tb[PC5SEC_KEY_A_MAX + 1];
	struct pc5_group *g;
	struct pc5_key *k;
	const struct nlattr *extra;
	unsigned int slot;
	int err;

	err = pc5_nl_parse_key(info, tb);
	if (err)
		return err;
	extra = pc5_nl_key_extra(tb, 0);
	if (extra) {
		NL_SET_ERR_MSG_ATTR(info->extack, extra, "a key is removed by its PGK ID alone");
		return -EINVAL;
	}
	mutex_lock(&pn->lock);
	k = pc5_nl_get_key(pn, info, tb, &g, &slot);
	err = PTR_ERR_OR_ZERO(k);
	if (!err) {
		pc5_nl_notify_key(pn, g, k, PC5SEC_CMD_KEY_DEL, GFP_KERNEL);
		pc5_key_remove(pn, g, slot);
	}
	mutex_unlock(&pn->lock);
	return err;
}

static int pc5_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct pc5_net *pn = pc5_nl_net(info);

	mutex_lock(&pn->lock);
	pc5_groups_flush(pn, true);
	mutex_unlock(&pn->lock);
	return 0;
}

static int pc5_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct pc5_net *pn = pc5_nl_net(info);
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(pc5_nl_stats_size(), GFP_KERNEL);
	if (!msg) {
		NL_SET_ERR_MSG(info->extack, "out of memory for the reply");
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &pc5_family, 0, PC5SEC_CMD_STATS_GET);
	if (!hdr || pc5_nl_put_stats(msg, PC5SEC_A_STATS, pn->stats)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

#define PC5_GROUP_OP(_cmd, _doit) {			\
	.cmd = _cmd,					\
	.doit = _doit,					\
	.policy = pc5_group_policy,			\
	.maxattr = PC5SEC_A_MAX,			\
	.flags = GENL_UNS_ADMIN_PERM,			\
}

#define PC5_KEY_OP(_cmd, _doit) {			\
	.cmd = _cmd,					\
	.doit = _doit,					\
	.policy = pc5_key_cmd_policy,			\
	.maxattr = PC5SEC_A_MAX,			\
	.flags = GENL_UNS_ADMIN_PERM,			\
}

static const struct genl_ops pc5_ops[] = {
	PC5_GROUP_OP(PC5SEC_CMD_GROUP_NEW, pc5_nl_group_new),
	PC5_GROUP_OP(PC5SEC_CMD_GROUP_SET, pc5_nl_group_set),
	PC5_GROUP_OP(PC5SEC_CMD_GROUP_DEL, pc5_nl_group_del),
	{
		.cmd = PC5SEC_CMD_GROUP_GET,
		.doit = pc5_nl_group_get,
		.start = pc5_nl_group_dump_start,
		.dumpit = pc5_nl_group_dump,
		.policy = pc5_group_policy,
		.maxattr = PC5SEC_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	PC5_KEY_OP(PC5SEC_CMD_KEY_NEW, pc5_nl_key_new),
	PC5_KEY_OP(PC5SEC_CMD_KEY_SET, pc5_nl_key_set),
	PC5_KEY_OP(PC5SEC_CMD_KEY_DEL, pc5_nl_key_del),
	PC5_GROUP_OP(PC5SEC_CMD_FLUSH, pc5_nl_flush),
	PC5_GROUP_OP(PC5SEC_CMD_STATS_GET, pc5_nl_stats_get),
};

static const struct genl_multicast_group pc5_mcgrps[] = {
	{ .name = PC5SEC_MCGRP_MONITOR },
};

static struct genl_family pc5_family __ro_after_init = {
	.name = PC5SEC_GENL_NAME,
	.version = PC5SEC_GENL_VERSION,
	.maxattr = PC5SEC_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = pc5_ops,
	.n_ops = ARRAY_SIZE(pc5_ops),
	.mcgrps = pc5_mcgrps,
	.n_mcgrps = ARRAY_SIZE(pc5_mcgrps),
};

int __init pc5_netlink_init(void)
{
	return genl_register_family(&pc5_family);
}

void pc5_netlink_exit(void)
{
	genl_unregister_family(&pc5_family);
}
