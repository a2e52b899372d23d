/* SPDX-License-Identifier: GPL-2.0 */
/* Ingress (receive.c): the PRE_ROUTING, LOCAL_IN and FORWARD hooks. */
#ifndef _PC5SEC_RECEIVE_H
#define _PC5SEC_RECEIVE_H

#include <linux/netfilter.h>

struct pc5_key;

/* PRE_ROUTING and LOCAL_IN: checks, decrypts and delivers, or drops. */
unsigned int pc5_rx_hook(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state);

/* FORWARD: drops what must not be forwarded to or from a protected group. */
unsigned int pc5_fwd_hook(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state);

/* At module load, before the hooks: the cookie that marks a datagram let on. */
void pc5_rx_init(void);

/**
 * pc5_rx_resume() - tries the datagrams waiting for SAs, in the order they came
 * @k: their key
 *
 * The key's worker.
 */
void pc5_rx_resume(struct pc5_key *k);

/**
 * pc5_rx_drop_pending() - drops the datagrams of a dead key that still wait
 * @k: the key, its worker stopped
 *
 * They count as rx-drop-unknown-pgk of its group, and give back what
 * they reserved of the namespace's trial budget.
 */
void pc5_rx_drop_pending(struct pc5_key *k);

#endif /* _PC5SEC_RECEIVE_H */
