/*
 * tests/tools/test_shell.c - the kmm binary as a user meets it: `kmm` on
 * a terminal (a pseudo-terminal here) prompts, answers help, runs the
 * script language, leaves on quit and on Ctrl-D with status 0, keeps a
 * history in ~/.kmm_history when built with libedit and does not mind a
 * home it cannot write; `kmm` with stdin not a terminal reads lines with
 * no prompt, as today.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "tests/harness.h"

static char kmm_path[PATH_MAX];

struct term {
	pid_t pid;
	int fd;			/* the master side */
	char buf[1 << 16];	/* everything the shell printed */
	size_t len;
	size_t seen;		/* expect() looks after this */
};

/* Starts kmm on a new terminal with HOME set to home (NULL: unset). */
static int term_start(struct term *t, const char *home)
{
	memset(t, 0, sizeof(*t));
	t->pid = forkpty(&t->fd, NULL, NULL, NULL);
	if (t->pid < 0)
		return -1;
	if (t->pid == 0) {
		if (home)
			setenv("HOME", home, 1);
		else
			unsetenv("HOME");
		setenv("TERM", "xterm", 1);
		execl(kmm_path, "kmm", (char *)NULL);
		_exit(127);
	}
	return 0;
}

/* Reads for up to ms; returns 0 on end of output (the shell left). */
static int term_read(struct term *t, int ms)
{
	struct pollfd p = { .fd = t->fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 1;
	n = read(t->fd, t->buf + t->len, sizeof(t->buf) - 1 - t->len);
	if (n <= 0)
		return 0;	/* EIO: the slave side is closed */
	t->len += (size_t)n;
	t->buf[t->len] = 0;
	return 1;
}

/* Waits (10 s at most) until the shell has printed text. */
static bool expect(struct term *t, const char *text)
{
	for (int i = 0; i < 1000; i++) {
		char *p = strstr(t->buf + t->seen, text);

		if (p) {
			t->seen = (size_t)(p - t->buf) + strlen(text);
			return true;
		}
		if (!term_read(t, 10) || t->len + 1 == sizeof(t->buf))
			break;
	}
	fprintf(stderr, "  waited for \"%s\"; the shell printed:\n%s\n", text, t->buf);
	return false;
}

/*
 * libedit prints its prompt a moment before it takes the terminal out of
 * canonical mode, and a ^D the terminal takes in canonical mode is lost
 * in the switch (a person cannot type that fast).  Waits (10 s at most)
 * for the switch; without libedit the terminal stays canonical, where ^D
 * ends the input anyway.
 */
static bool wait_for_editing(struct term *t)
{
#ifdef KMM_HAVE_LIBEDIT
	struct termios tio;

	for (int i = 0; i < 1000; i++) {
		if (tcgetattr(t->fd, &tio))
			return false;
		if (!(tio.c_lflag & ICANON))
			return true;
		term_read(t, 10);
	}
	return false;
#else
	return true;
#endif
}

static void type(struct term *t, const char *text)
{
	if (write(t->fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
}

/* Reads to the end and returns the exit status (-1 if it did not end). */
static int term_finish(struct term *t)
{
	int status, i;

	for (i = 0; i < 1000 && term_read(t, 10); i++)
		;
	if (waitpid(t->pid, &status, i < 1000 ? 0 : WNOHANG) != t->pid) {
		fprintf(stderr, "  the shell did not leave; it printed:\n%s\n", t->buf);
		kill(t->pid, SIGKILL);
		waitpid(t->pid, &status, 0);
		close(t->fd);
		return -1;
	}
	close(t->fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char home[PATH_MAX];

TEST(shell_prompts_helps_and_quits)
{
	struct term t;

	ASSERT_EQ(term_start(&t, home), 0);
	ASSERT_TRUE(expect(&t, "'help' lists the commands"));
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "help\n");
	ASSERT_TRUE(expect(&t, "\nalloc_pages ORDER [GFP_FLAGS]\r\n"));
	ASSERT_TRUE(expect(&t, "\nquit\r\n"));
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "help echo\n");
	ASSERT_TRUE(expect(&t, "echo VALUE > PATH\r\n    Writes a /proc/sys/vm knob"));
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "echo 2 > /proc/sys/vm/overcommit_memory\n");
	ASSERT_TRUE(expect(&t, "\r\nok\r\n"));
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "cat /proc/sys/vm/overcommit_memory\n");
	ASSERT_TRUE(expect(&t, "\r\n2\r\n"));
	ASSERT_TRUE(expect(&t, "kmm> "));
	/* A malformed line is reported and the shell goes on. */
	type(&t, "no_such_command\n");
	ASSERT_TRUE(expect(&t, "unknown command 'no_such_command'"));
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "quit\n");
	ASSERT_EQ(term_finish(&t), 0);
}

TEST(shell_leaves_on_ctrl_d)
{
	struct term t;

	ASSERT_EQ(term_start(&t, home), 0);
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "check\n");
	ASSERT_TRUE(expect(&t, "\r\nok\r\n"));
	ASSERT_TRUE(expect(&t, "kmm> "));
	ASSERT_TRUE(wait_for_editing(&t));
	type(&t, "\x04");
	ASSERT_EQ(term_finish(&t), 0);
}

TEST(history_is_kept_in_home)
{
#ifdef KMM_HAVE_LIBEDIT
	char path[PATH_MAX + 32], text[4096] = "";
	struct term t;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/.kmm_history", home);
	unlink(path);
	ASSERT_EQ(term_start(&t, home), 0);
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "cat /proc/sys/vm/max_map_count\n");
	ASSERT_TRUE(expect(&t, "\r\n65530\r\n"));
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "\x1b[A\n");		/* up arrow: the line again */
	ASSERT_TRUE(expect(&t, "\r\n65530\r\n"));
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "quit\n");
	ASSERT_EQ(term_finish(&t), 0);
	f = fopen(path, "r");
	ASSERT_NOT_NULL(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	/* libedit's file encodes blanks as \040 */
	ASSERT_CONTAINS(text, "max_map_count");
	/* The next session recalls it, before the quit. */
	ASSERT_EQ(term_start(&t, home), 0);
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "\x1b[A\x1b[A\n");
	ASSERT_TRUE(expect(&t, "\r\n65530\r\n"));
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "quit\n");
	ASSERT_EQ(term_finish(&t), 0);
#endif
}

TEST(no_home_or_a_home_it_cannot_write)
{
	struct term t;

	ASSERT_EQ(term_start(&t, "/nonexistent/kmm-test-home"), 0);
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "check\n");
	ASSERT_TRUE(expect(&t, "\r\nok\r\n"));
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "quit\n");
	ASSERT_EQ(term_finish(&t), 0);

	ASSERT_EQ(term_start(&t, NULL), 0);
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "check\n");
	ASSERT_TRUE(expect(&t, "\r\nok\r\n"));
	ASSERT_TRUE(expect(&t, "kmm> "));
	type(&t, "quit\n");
	ASSERT_EQ(term_finish(&t), 0);
}

/* Not a terminal: the lines of stdin, no banner, no prompt. */
TEST(stdin_not_a_terminal)
{
	char cmd[PATH_MAX + 128], out[256];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 "printf 'check\\necho 1 > /proc/sys/vm/overcommit_memory\\nquit\\ncheck\\n' | '%s' 2>&1",
		 kmm_path);
	p = popen(cmd, "r");
	ASSERT_NOT_NULL(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	ASSERT_EQ(pclose(p), 0);
	ASSERT_STR_EQ(out, "ok\nok\n");		/* and nothing after quit */
}

int main(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return 1;
	self[n] = 0;
	/* build/tests/test_shell -> build/kmm */
	snprintf(kmm_path, sizeof(kmm_path), "%s/../kmm", dirname(self));
	snprintf(home, sizeof(home), "/tmp/kmm-test-shell-%d", (int)getpid());
	if (mkdir(home, 0700) && errno != EEXIST)
		return 1;
	RUN_TEST(shell_prompts_helps_and_quits);
	RUN_TEST(shell_leaves_on_ctrl_d);
	RUN_TEST(history_is_kept_in_home);
	RUN_TEST(no_home_or_a_home_it_cannot_write);
	RUN_TEST(stdin_not_a_terminal);
	{
		char path[PATH_MAX + 32];

		snprintf(path, sizeof(path), "%s/.kmm_history", home);
		unlink(path);
		rmdir(home);
	}
	return harness_summary();
}
