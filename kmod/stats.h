/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU u64 counters, named by enum pc5sec_stat: a namespace's, a
 * group's and a key's.
 */
#ifndef _PC5SEC_STATS_H
#define _PC5SEC_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/pc5sec.h>

struct pc5_stats {
	u64_stats_t v[__PC5SEC_STAT_MAX];
	struct u64_stats_sync syncp;
};

/**
 * pc5_stats_alloc() - zeroed counters for each CPU
 *
 * Return: the counters, or NULL without memory. free_percpu() frees them.
 */
struct pc5_stats __percpu *pc5_stats_alloc(void);

/**
 * pc5_stats_read() - sums the counters of every CPU
 * @stats: the counters
 * @sum: __PC5SEC_STAT_MAX sums, indexed by enum pc5sec_stat
 */
void pc5_stats_read(struct pc5_stats __percpu *stats, u64 *sum);

/*
 * From process context (send) as well as softirq (receive): a receive
 * that interrupts a send on the same CPU must not lose either's count.
 */
static inline void pc5_stats_add(struct pc5_stats __percpu *stats,
				 enum pc5sec_stat idx, u64 n)
{
	struct pc5_stats *s = get_cpu_ptr(stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->v[idx], n);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(stats);
}

#endif /* _PC5SEC_STATS_H */
