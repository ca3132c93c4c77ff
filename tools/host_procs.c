/*
 * tools/host_procs.c - the process tree of the host executor: spawn,
 * fork and exit as real processes, and the lines of a pid run by its own
 * process.
 *
 * The dispatcher (the process that reads the script) never maps the
 * window.  spawn forks a server from it: a process with an empty window
 * that runs the lines of one pid.  fork PID asks that pid's server to
 * fork; the child serves the new pid.  Pids are numbered as the
 * simulator numbers them: 1 for the first process, then one more for
 * each spawn or fork, never reused.  exit PID ends the server and waits
 * until the kernel has torn its address space down (its socket closes
 * after its memory is gone), so the next line sees what the simulator's
 * next line sees.
 *
 * Each server talks to the dispatcher over a Unix stream socket: a
 * request (a line, fork with the new server's socket passed along, or
 * exit), then a reply (a status, what the line printed on out and on
 * err).  Servers disable transparent huge pages for themselves
 * (PR_SET_THP_DISABLE, inherited by their forks) so every fault maps one
 * 4 KiB page, as in the simulator, without VM_NOHUGEPAGE on the vmas
 * (which would change merges); they ignore SIGCHLD so their children are
 * reaped by the kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/parse.h"
#include "tools/host_int.h"

enum host_op { OP_LINE, OP_FORK, OP_EXIT };

struct request {
	uint32_t op;
	uint32_t len;		/* of the line that follows */
	uint64_t lineno;
	int32_t pid;		/* OP_FORK: the child's script pid */
};

struct reply {
	int32_t status;		/* the line's; OP_FORK: the child's host pid or -errno */
	uint32_t out_len;
	uint32_t err_len;
};

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sends q and its line, with pass_fd (if >= 0) as SCM_RIGHTS. */
static int send_request(int fd, const struct request *q, const char *text, int pass_fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)q, sizeof(*q) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (pass_fd >= 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
	}
	do
		n = sendmsg(fd, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	if ((size_t)n < sizeof(*q) && write_all(fd, (const char *)q + n, sizeof(*q) - (size_t)n))
		return -1;
	return write_all(fd, text, q->len);
}

/* Receives a request, its line (NUL-terminated) and a passed fd (or -1). */
static int recv_request(int fd, struct request *q, char *text, size_t size, int *passed)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { q, sizeof(*q) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;

	*passed = -1;
	do
		n = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(passed, CMSG_DATA(c), sizeof(int));
	if ((size_t)n < sizeof(*q) && read_all(fd, (char *)q + n, sizeof(*q) - (size_t)n))
		return -1;
	if (q->len >= size || read_all(fd, text, q->len))
		return -1;
	text[q->len] = 0;
	return 0;
}

static int send_reply(int fd, int status, const char *out, size_t out_len,
		      const char *err, size_t err_len)
{
	struct reply r = { status, (uint32_t)out_len, (uint32_t)err_len };

	if (write_all(fd, &r, sizeof(r)) || write_all(fd, out, out_len))
		return -1;
	return write_all(fd, err, err_len);
}

/* ------------------------------------------------------------------ */
/* The server: one script process                                      */
/* ------------------------------------------------------------------ */

/* Runs a line here, with out and err on buffers sent back as the reply. */
static void serve_line(struct host_exec *h, const struct request *q, const char *text)
{
	char line[HOST_MAX_LINE], *argv[HOST_MAX_ARGS];
	char *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0;
	int argc, status;

	h->out = open_memstream(&obuf, &olen);
	h->err = open_memstream(&ebuf, &elen);
	if (!h->out || !h->err)
		_exit(4);
	h->lineno = q->lineno;
	argc = host_split_line(h, text, line, sizeof(line), argv, HOST_MAX_ARGS);
	status = argc > 0 ? host_run_cmd(h, argc, argv) : argc;
	fclose(h->out);
	fclose(h->err);
	if (send_reply(h->chan, status, obuf, olen, ebuf, elen))
		_exit(0);
	free(obuf);
	free(ebuf);
}

/*
 * fork: the child goes on serving on chan (the socket the dispatcher
 * passed) as pid; the parent replies with the child's host pid.
 * Returns in both.
 */
static void serve_fork(struct host_exec *h, int pid, int chan)
{
	pid_t c;

	if (chan < 0) {
		send_reply(h->chan, -EBADF, NULL, 0, NULL, 0);
		return;
	}
	c = fork();
	if (c == 0) {
		close(h->chan);
		h->chan = chan;
		h->self_pid = pid;
		return;
	}
	close(chan);
	if (send_reply(h->chan, c < 0 ? -errno : c, NULL, 0, NULL, 0))
		_exit(0);
}

static void __attribute__((noreturn)) serve(struct host_exec *h)
{
	char text[HOST_MAX_LINE];

	for (;;) {
		struct request q;
		int fd;

		if (recv_request(h->chan, &q, text, sizeof(text), &fd))
			_exit(0);	/* the dispatcher is gone */
		if (q.op == OP_LINE)
			serve_line(h, &q, text);
		else if (q.op == OP_FORK)
			serve_fork(h, q.pid, fd);
		else
			_exit(0);
	}
}

/* Closes every descriptor above stderr but keep. */
static void close_others(int keep)
{
	if (keep > 3)
		syscall(SYS_close_range, 3u, (unsigned int)keep - 1, 0u);
	syscall(SYS_close_range, (unsigned int)keep + 1, ~0u, 0u);
}

/* A new server, just forked from the dispatcher: set up, say so, serve. */
static void __attribute__((noreturn)) server_start(struct host_exec *h, int chan, int pid)
{
	int err = 0;

	close_others(chan);
	h->chan = chan;
	h->self_pid = pid;
	signal(SIGCHLD, SIG_IGN);
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		err = -errno;
	if (!err)
		err = host_access_init();
	if (!err && h->plug)
		err = host_plug_above_window();
	send_reply(chan, err, NULL, 0, NULL, 0);
	if (err)
		_exit(5);
	serve(h);
}

/* ------------------------------------------------------------------ */
/* The dispatcher                                                      */
/* ------------------------------------------------------------------ */

struct host_proc *host_find_proc(struct host_exec *h, unsigned long pid)
{
	int i;

	for (i = 0; i < HOST_MAX_PROCS; i++)
		if (h->procs[i].pid && (unsigned long)h->procs[i].pid == pid)
			return &h->procs[i];
	return NULL;
}

static struct host_proc *free_proc(struct host_exec *h)
{
	int i;

	for (i = 0; i < HOST_MAX_PROCS; i++)
		if (!h->procs[i].pid)
			return &h->procs[i];
	return NULL;
}

/* Waits until p's process has exited (its socket closes), and forgets it. */
static void proc_gone(struct host_proc *p)
{
	char byte;
	ssize_t n;

	shutdown(p->chan, SHUT_WR);
	do
		n = read(p->chan, &byte, 1);
	while (n > 0 || (n < 0 && errno == EINTR));
	close(p->chan);
	if (p->child)
		waitpid(p->host_pid, NULL, 0);
	memset(p, 0, sizeof(*p));
}

/* The reply of p's server; status out of it.  -1 if the server died. */
static int recv_reply(struct host_exec *h, struct host_proc *p, int *status)
{
	struct reply r;
	char *buf;

	if (read_all(p->chan, &r, sizeof(r)))
		return -1;
	buf = malloc((size_t)r.out_len + r.err_len + 1);
	if (!buf || read_all(p->chan, buf, (size_t)r.out_len + r.err_len)) {
		free(buf);
		return -1;
	}
	fwrite(buf, 1, r.out_len, h->out);
	fwrite(buf + r.out_len, 1, r.err_len, h->err);
	free(buf);
	*status = r.status;
	return 0;
}

/* Says that p's process died under us, and forgets it. */
static int proc_died(struct host_exec *h, struct host_proc *p)
{
	fprintf(h->err, "kmm-host: %s:%lu: the process of pid %d died\n",
		h->source, h->lineno, p->pid);
	fprintf(h->out, "error EIO\n");
	proc_gone(p);
	return -1;
}

int host_route_line(struct host_exec *h, struct host_proc *p, const char *text)
{
	struct request q = { OP_LINE, (uint32_t)strlen(text), h->lineno, 0 };
	int status;

	if (send_request(p->chan, &q, text, -1) || recv_reply(h, p, &status))
		return proc_died(h, p);
	return status;
}

static void print_pid(struct host_exec *h, struct host_proc *p, pid_t host_pid,
		      int chan, bool child)
{
	p->pid = h->next_pid++;
	p->host_pid = host_pid;
	p->chan = chan;
	p->child = child;
	fprintf(h->out, "pid %d\n", p->pid);
}

int host_cmd_spawn(struct host_exec *h, int argc, char **argv)
{
	struct host_proc *p = free_proc(h);
	int sv[2], status;
	pid_t c;

	if (!p) {
		host_print_errno(h, EAGAIN);
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		host_print_errno(h, errno);
		return 0;
	}
	fflush(h->out);
	fflush(h->err);
	c = fork();
	if (c == 0)
		server_start(h, sv[1], h->next_pid);
	close(sv[1]);
	if (c < 0) {
		host_print_errno(h, errno);
		close(sv[0]);
		return 0;
	}
	p->chan = sv[0];
	p->host_pid = c;
	p->child = true;
	p->pid = h->next_pid;
	if (recv_reply(h, p, &status) || status) {
		fprintf(h->err, "kmm-host: cannot set up the process of pid %d (%d)\n",
			p->pid, status);
		proc_gone(p);
		host_print_errno(h, EAGAIN);
		return -1;
	}
	print_pid(h, p, c, sv[0], true);
	return 0;
}

/* PID of fork and exit: its process, or NULL after printing why. */
static struct host_proc *arg_proc(struct host_exec *h, const char *arg, int *bad)
{
	struct host_proc *p;
	unsigned long pid;

	*bad = 0;
	if (parse_ulong(arg, &pid, false)) {
		*bad = host_syntax_error(h, "PID must be a number, got '%s'", arg);
		return NULL;
	}
	p = host_find_proc(h, pid);
	if (!p)
		host_print_errno(h, ESRCH);
	return p;
}

int host_cmd_fork(struct host_exec *h, int argc, char **argv)
{
	struct host_proc *parent, *p;
	int sv[2], bad, status;
	struct request q = { OP_FORK, 0, h->lineno, h->next_pid };

	parent = arg_proc(h, argv[1], &bad);
	if (!parent)
		return bad;
	p = free_proc(h);
	if (!p) {
		host_print_errno(h, EAGAIN);
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		host_print_errno(h, errno);
		return 0;
	}
	if (send_request(parent->chan, &q, "", sv[1])) {
		close(sv[0]);
		close(sv[1]);
		return proc_died(h, parent);
	}
	close(sv[1]);
	if (recv_reply(h, parent, &status)) {
		close(sv[0]);
		return proc_died(h, parent);
	}
	if (status < 0) {
		close(sv[0]);
		host_print_errno(h, -status);
		return 0;
	}
	print_pid(h, p, status, sv[0], false);
	return 0;
}

/*
 * exit PID [STATUS].  The script's pid 1 is the simulator's init, whose
 * end panics the simulated machine: this prints the same line and runs
 * nothing more (the host's process 1 of the script is left as it is).
 */
int host_cmd_exit(struct host_exec *h, int argc, char **argv)
{
	struct request q = { OP_EXIT, 0, h->lineno, 0 };
	unsigned long status = 0;
	struct host_proc *p;
	int bad;

	if (argc > 2 && (parse_ulong(argv[2], &status, false) || status > 255))
		return host_syntax_error(h, "exit: STATUS must be a number 0..255, got '%s'", argv[2]);
	p = arg_proc(h, argv[1], &bad);
	if (!p)
		return bad;
	if (p->pid == 1) {
		fprintf(h->out, "Kernel panic - not syncing: Attempted to kill init! exitcode=0x%08lx\n",
			status << 8);
		h->panicked = true;
		return 0;
	}
	send_request(p->chan, &q, "", -1);
	proc_gone(p);
	fprintf(h->out, "ok\n");
	return 0;
}

void host_procs_destroy(struct host_exec *h)
{
	int i;

	for (i = 0; i < HOST_MAX_PROCS; i++)
		if (h->procs[i].pid)
			proc_gone(&h->procs[i]);
}
