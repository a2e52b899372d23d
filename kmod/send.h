/* SPDX-License-Identifier: GPL-2.0 */
/* Egress (send.c): the LOCAL_OUT hook. */
#ifndef _PC5SEC_SEND_H
#define _PC5SEC_SEND_H

#include <linux/netfilter.h>

/* LOCAL_OUT: encrypts a datagram to a protected group, or drops it. */
unsigned int pc5_tx_hook(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state);

#endif /* _PC5SEC_SEND_H */
