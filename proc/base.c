/*
 * proc/base.c - the OOM killer's files of /proc/PID, as Linux's
 * fs/proc/base.c: oom_score (what the badness heuristic makes of the
 * task now, scaled to 0..2000), oom_score_adj (-1000..1000, read and
 * written) and oom_adj (the legacy -17..15 scale, mapped onto
 * oom_score_adj).
 *
 * A write is parsed as Linux's kstrtoint of the stripped text (at most
 * 12 bytes are looked at, PROC_NUMBUF): not a number is -EINVAL, a
 * number past an int -ERANGE, a number out of the file's range -EINVAL;
 * the value is then unchanged.  Every simulated task is root with
 * CAP_SYS_RESOURCE, so lowering a value is never -EACCES; no two
 * processes share an mm, so a write changes only the task it names.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <kmm/oom.h>
#include <kmm/sched.h>
#include "base/parse.h"
#include "proc/internal.h"

#define PROC_NUMBUF	13

unsigned long proc_oom_score_points(long badness, unsigned long totalpages)
{
	/* OOM_SCORE_ADJ_MIN (and no memory) shows 0; the rest scales from
	 * [-totalpages, 2 x totalpages] into [0, 2000]. */
	if (badness == LONG_MIN)
		return 0;
	return (unsigned long)((1000 + badness * 1000 / (long)totalpages) * 2 / 3);
}

void proc_oom_score_show(struct task_struct *t, struct seq_buf *m)
{
	unsigned long totalpages = oom_totalpages(t->mm->kmm);

	seq_printf(m, "%lu\n", proc_oom_score_points(oom_badness(t, totalpages), totalpages));
}

void proc_oom_score_adj_show(struct task_struct *t, struct seq_buf *m)
{
	seq_printf(m, "%hd\n", (short)t->oom_score_adj);
}

void proc_oom_adj_show(struct task_struct *t, struct seq_buf *m)
{
	int oom_adj;

	if (t->oom_score_adj == OOM_SCORE_ADJ_MAX)
		oom_adj = OOM_ADJUST_MAX;
	else
		oom_adj = t->oom_score_adj * -OOM_DISABLE / OOM_SCORE_ADJ_MAX;
	seq_printf(m, "%d\n", min(oom_adj, OOM_ADJUST_MAX));
}

/* What a write's buffer holds, as kstrtoint(strstrip(buffer)) reads it. */
static int proc_get_int(const char *buf, int *v)
{
	char number[PROC_NUMBUF];
	size_t len = strnlen(buf, sizeof(number) - 1);
	char *p = number;

	memcpy(number, buf, len);
	number[len] = 0;
	while (len && isspace((unsigned char)number[len - 1]))
		number[--len] = 0;
	while (isspace((unsigned char)*p))
		p++;
	return kstrtoint(p, 0, v);
}

int proc_oom_score_adj_write(struct task_struct *t, const char *buf)
{
	int v, err = proc_get_int(buf, &v);

	if (err)
		return err;
	if (v < OOM_SCORE_ADJ_MIN || v > OOM_SCORE_ADJ_MAX)
		return -EINVAL;
	t->oom_score_adj = v;
	return 0;
}

int proc_oom_adj_write(struct task_struct *t, const char *buf)
{
	struct kmm *k = t->mm->kmm;
	int v, err = proc_get_int(buf, &v);

	if (err)
		return err;
	if ((v < OOM_ADJUST_MIN || v > OOM_ADJUST_MAX) && v != OOM_DISABLE)
		return -EINVAL;
	/* Linear onto oom_score_adj, the maximum always reachable. */
	v = v == OOM_ADJUST_MAX ? OOM_SCORE_ADJ_MAX : v * OOM_SCORE_ADJ_MAX / -OOM_DISABLE;
	if (!k->mem->oom_adj_warned) {
		k->mem->oom_adj_warned = true;
		kmm_report(k, "%s (%d): /proc/%d/oom_adj is deprecated, please use "
			   "/proc/%d/oom_score_adj instead.\n", task_comm_or_kmm(k->current),
			   k->current ? k->current->pid : 0, t->pid, t->pid);
	}
	t->oom_score_adj = v;
	return 0;
}
