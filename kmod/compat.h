/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels pc5sec supports (6.1 and 6.12), in one
 * place, so that the rest of the code reads the same on both. Kbuild tests
 * the kernel tree for the features (PC5_HAVE_*).
 */
#ifndef _PC5SEC_COMPAT_H
#define _PC5SEC_COMPAT_H

#include <linux/crypto.h>

/* 6.5 moved skb_gso_segment() from linux/netdevice.h to net/gso.h. */
#ifdef PC5_HAVE_NET_GSO_H
#include <net/gso.h>
#endif

/* 6.12 moved asm/unaligned.h to linux/unaligned.h. */
#ifdef PC5_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * 6.3 passes crypto completion callbacks their data, not the request:
 * void done(PC5_CRYPTO_DONE_ARG arg, int err), data pc5_crypto_done_data(arg).
 */
#ifdef PC5_HAVE_CRYPTO_DONE_DATA
#define PC5_CRYPTO_DONE_ARG		void *
#define pc5_crypto_done_data(arg)	(arg)
#else
#define PC5_CRYPTO_DONE_ARG		struct crypto_async_request *
#define pc5_crypto_done_data(arg)	((arg)->data)
#endif

#endif /* _PC5SEC_COMPAT_H */
