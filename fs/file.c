/*
 * fs/file.c - a process's table of open files.  An fd is an index into
 * an array of struct file pointers that grows by doubling up to
 * NR_OPEN_MAX; close puts the file's reference; fork gives the child a
 * table of its own holding the same files (Linux's dup_fd: the files and
 * their offsets are shared, the table is not).  fds 0, 1 and 2 are the
 * terminal, which kmm does not model: the first open returns 3, as a
 * program's first open on the host does.
 */
#include <errno.h>
#include <string.h>
#include <kmm/fs.h>
#include <kmm/slab.h>

#define NR_OPEN_MAX	1024	/* RLIMIT_NOFILE's soft default */
#define FIRST_FD	3

struct files_struct *files_alloc(void)
{
	return kzalloc(sizeof(struct files_struct), GFP_KERNEL);
}

static int expand_files(struct files_struct *files, unsigned int nr)
{
	unsigned int max = files->max_fds ? files->max_fds : 16;
	struct file **fd;

	while (max < nr)
		max *= 2;
	if (max > NR_OPEN_MAX)
		return -EMFILE;
	fd = krealloc(files->fd, max * sizeof(*fd), GFP_KERNEL);
	if (!fd)
		return -ENOMEM;
	memset(fd + files->max_fds, 0, (max - files->max_fds) * sizeof(*fd));
	files->fd = fd;
	files->max_fds = max;
	return 0;
}

struct files_struct *dup_fd(const struct files_struct *old, int *err)
{
	struct files_struct *files = files_alloc();
	unsigned int i;

	if (!files || (old->max_fds && expand_files(files, old->max_fds))) {
		put_files_struct(files);
		*err = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < old->max_fds; i++)
		if (old->fd[i])
			files->fd[i] = get_file(old->fd[i]);
	return files;
}

void put_files_struct(struct files_struct *files)
{
	unsigned int i;

	if (!files)
		return;
	for (i = 0; i < files->max_fds; i++)
		fput(files->fd[i]);
	kfree(files->fd);
	kfree(files);
}

int fd_install_lowest(struct files_struct *files, struct file *f)
{
	unsigned int i;
	int err;

	for (i = FIRST_FD; i < files->max_fds; i++)
		if (!files->fd[i])
			break;
	if (i >= files->max_fds) {
		err = expand_files(files, i + 1);
		if (err)
			return err;
	}
	files->fd[i] = f;
	return (int)i;
}

struct file *fget_raw(const struct files_struct *files, int fd)
{
	if (!files || fd < 0 || (unsigned int)fd >= files->max_fds)
		return NULL;
	return files->fd[fd];
}

int close_fd(struct files_struct *files, int fd)
{
	struct file *f = fget_raw(files, fd);

	if (!f)
		return -EBADF;
	files->fd[fd] = NULL;
	fput(f);		/* close(2) writes nothing back, as on Linux */
	return 0;
}
