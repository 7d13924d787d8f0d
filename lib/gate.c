/*
 * gate.c - the cap on password checks at once (gate.h).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gate.h"
#include "log.h"
#include "token.h"

static int	 gate_broken;	/* the directory is unusable, logged */

/* Log once that the gate is off, and why. */
static void
gate_off(const char *dir, const char *why)
{

	if (!gate_broken)
		log_err("%s: %s: password checks are not capped "
		    "(password_checks)", dir, why);
	gate_broken = 1;
}

/*
 * Open the gate directory: create it mode 0700, or accept it only when it
 * is a directory (not a link) of this user that nobody else may enter.
 * Returns its descriptor, or -1 (logged once).
 */
static int
gate_dir(char *dir, size_t dirsz)
{
	struct stat	 sb;
	int		 fd;

	snprintf(dir, dirsz, GATE_DIR, (unsigned)getuid());
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		gate_off(dir, strerror(errno));
		return -1;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		gate_off(dir, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || sb.st_uid != getuid() ||
	    (sb.st_mode & 077) != 0) {
		close(fd);
		gate_off(dir, "not a directory of this user with mode 0700");
		return -1;
	}
	return fd;
}

/*
 * The name of this service's slots, inst (16 hex characters and a NUL):
 * services of one user that keep their data apart (another Redis, another
 * key_prefix) count their checks apart too.
 */
static void
instance(const struct cfg *c, char inst[17])
{
	char	 buf[4 * CFG_STR_MAX + 64], h[TOK_HASH_LEN + 1];
	int	 n;

	n = snprintf(buf, sizeof(buf), "%s|%s|%d|%s|%d", c->key_prefix,
	    c->redis_host, c->redis_port, c->redis_socket, c->redis_db);
	tok_hash(buf, n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n :
	    sizeof(buf) - 1, h);
	memcpy(inst, h, 16);
	inst[16] = '\0';
}

enum err
gate_enter(const struct cfg *c, struct gate *g)
{
	char	 dir[64], name[48], inst[17];
	int	 dfd, fd, i;

	g->fd = -1;
	if (c->password_checks <= 0 || gate_broken)
		return ERR_OK;
	if ((dfd = gate_dir(dir, sizeof(dir))) == -1)
		return ERR_OK;
	instance(c, inst);
	for (i = 0; i < c->password_checks; i++) {
		snprintf(name, sizeof(name), "%s.%d", inst, i);
		if ((fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC, 0600)) == -1) {
			gate_off(dir, strerror(errno));
			close(dfd);
			return ERR_OK;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			g->fd = fd;
			close(dfd);
			return ERR_OK;
		}
		close(fd);
	}
	close(dfd);
	return ERR_BUSY;
}

void
gate_leave(struct gate *g)
{

	if (g->fd != -1) {
		(void)flock(g->fd, LOCK_UN);
		close(g->fd);
	}
	g->fd = -1;
}
