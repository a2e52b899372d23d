/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels pc5sec supports (6.1 and 6.12), in one
 * place, so that the rest of the code reads the same on both. Kbuild tests
 * the kernel tree for the features (PC5_HAVE_*).
 */
#ifndef _PC5SEC_COMPAT_H
#define _PC5SEC_COMPAT_H

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

#endif /* _PC5SEC_COMPAT_H */
