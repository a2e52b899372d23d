// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU u64 counters, named by enum pc5sec_stat.
 */

#include "stats.h"

struct pc5_stats __percpu *pc5_stats_alloc(void)
{
	struct pc5_stats __percpu *stats;
	int cpu;

	stats = alloc_percpu(struct pc5_stats);
	if (!stats)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

/* Sums the counters of every CPU into sum[__PC5SEC_STAT_MAX]. */
void pc5_stats_read(struct pc5_stats __percpu *stats, u64 *sum)
{
	u64 v[__PC5SEC_STAT_MAX];
	unsigned int start, i;
	int cpu;

	memset(sum, 0, sizeof(v));
	for_each_possible_cpu(cpu) {
		const struct pc5_stats *s = per_cpu_ptr(stats, cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < __PC5SEC_STAT_MAX; i++)
				v[i] = u64_stats_read(&s->v[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < __PC5SEC_STAT_MAX; i++)
			sum[i] += v[i];
	}
}
