/*
 * kubelite-shim: makes a container (Linux namespaces + an overlay root) and runs a command in
 * it, or enters a running one. Like runc plus a tiny init, for the kubelite `namespaces` runtime.
 *
 *   kubelite-shim run  SPEC     SPEC is inline JSON (starts with '{') or a path to a JSON file
 *   kubelite-shim exec SPEC
 *
 * Protocol (see src/runtime/namespaces/shim.ts): when the spec names a `statusFd`, the shim
 * writes JSON lines there: {"started":true,"pid":N} once the command runs (pid = the container's
 * init as the spawner sees it), {"error":"...","exitCode":125|126|127} when it could not start,
 * {"exited":true,"exitCode":N,"signal":"SIGTERM"|null} at the end. The shim's own exit status is
 * the command's code, 128+n when signal n ended it, 125 (setup failed), 126 (not executable) or
 * 127 (not found) when it never ran. `resizeFd` takes lines "cols rows\n" for a tty.
 *
 * Without a tty the command's stdout and stderr (and stdin, when the shim's is a socket) are
 * pipes that the shim relays to and from its own, as runc gives FIFOs: a program can reopen
 * them as /dev/stdout, which a socket refuses (ENXIO). What the command wrote is relayed in full
 * before the shim reports its exit.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
struct mount_attr { uint64_t attr_set, attr_clr, propagation, userns_fd; };
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

enum { EXIT_SETUP = 125, EXIT_NOEXEC = 126, EXIT_NOTFOUND = 127 };

static void die(int code, const char *fmt, ...);
/* Formats a path into a fixed buffer; a path that does not fit is an error, never truncated. */
#define PATHF(buf, ...) do { \
    if (snprintf(buf, sizeof buf, __VA_ARGS__) >= (int)sizeof buf) die(EXIT_SETUP, "path too long: %s", buf); \
  } while (0)

/* ---------- a small JSON reader (the spec is written by our own TypeScript) ---------- */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;
typedef struct json {
  jtype type;
  double num;
  char *str;             /* J_STR; also the key when inside an object */
  char *key;
  struct json **items;   /* J_ARR / J_OBJ */
  int n;
} json;

static const char *jp;

static void jws(void) { while (*jp && isspace((unsigned char)*jp)) jp++; }

static char *jstring(void) {
  size_t cap = 64, len = 0;
  char *out = malloc(cap);
  jp++; /* opening quote */
  while (*jp && *jp != '"') {
    if (len + 8 > cap) out = realloc(out, cap *= 2);
    if (*jp != '\\') { out[len++] = *jp++; continue; }
    jp++;
    char c = *jp++;
    switch (c) {
    case 'n': out[len++] = '\n'; break;
    case 't': out[len++] = '\t'; break;
    case 'r': out[len++] = '\r'; break;
    case 'b': out[len++] = '\b'; break;
    case 'f': out[len++] = '\f'; break;
    case 'u': {
      unsigned cp = (unsigned)strtoul((char[]){jp[0], jp[1], jp[2], jp[3], 0}, NULL, 16);
      jp += 4;
      if (cp >= 0xd800 && cp < 0xdc00 && jp[0] == '\\' && jp[1] == 'u') { /* surrogate pair */
        unsigned lo = (unsigned)strtoul((char[]){jp[2], jp[3], jp[4], jp[5], 0}, NULL, 16);
        jp += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      }
      if (cp < 0x80) out[len++] = (char)cp;
      else if (cp < 0x800) { out[len++] = (char)(0xc0 | cp >> 6); out[len++] = (char)(0x80 | (cp & 63)); }
      else if (cp < 0x10000) {
        out[len++] = (char)(0xe0 | cp >> 12); out[len++] = (char)(0x80 | ((cp >> 6) & 63));
        out[len++] = (char)(0x80 | (cp & 63));
      } else {
        out[len++] = (char)(0xf0 | cp >> 18); out[len++] = (char)(0x80 | ((cp >> 12) & 63));
        out[len++] = (char)(0x80 | ((cp >> 6) & 63)); out[len++] = (char)(0x80 | (cp & 63));
      }
      break;
    }
    default: out[len++] = c;
    }
  }
  if (*jp != '"') die(EXIT_SETUP, "spec: unterminated string");
  jp++;
  out[len] = 0;
  return out;
}

static json *jvalue(void) {
  json *v = calloc(1, sizeof *v);
  jws();
  if (*jp == '{' || *jp == '[') {
    char close = *jp == '{' ? '}' : ']';
    v->type = *jp == '{' ? J_OBJ : J_ARR;
    jp++;
    jws();
    while (*jp && *jp != close) {
      char *key = NULL;
      if (v->type == J_OBJ) {
        if (*jp != '"') die(EXIT_SETUP, "spec: expected a key");
        key = jstring();
        jws();
        if (*jp++ != ':') die(EXIT_SETUP, "spec: expected ':'");
      }
      json *item = jvalue();
      item->key = key;
      v->items = realloc(v->items, sizeof(json *) * (size_t)(v->n + 1));
      v->items[v->n++] = item;
      jws();
      if (*jp == ',') { jp++; jws(); }
    }
    if (*jp != close) die(EXIT_SETUP, "spec: unterminated %s", close == '}' ? "object" : "array");
    jp++;
  } else if (*jp == '"') {
    v->type = J_STR;
    v->str = jstring();
  } else if (!strncmp(jp, "true", 4)) { v->type = J_BOOL; v->num = 1; jp += 4; }
  else if (!strncmp(jp, "false", 5)) { v->type = J_BOOL; jp += 5; }
  else if (!strncmp(jp, "null", 4)) { v->type = J_NULL; jp += 4; }
  else {
    char *end;
    v->type = J_NUM;
    v->num = strtod(jp, &end);
    if (end == jp) die(EXIT_SETUP, "spec: unexpected '%c'", *jp);
    jp = end;
  }
  return v;
}

static json *jget(json *o, const char *key) {
  if (!o || o->type != J_OBJ) return NULL;
  for (int i = 0; i < o->n; i++) if (!strcmp(o->items[i]->key, key)) return o->items[i];
  return NULL;
}
static const char *jstr(json *o, const char *key) {
  json *v = jget(o, key);
  return v && v->type == J_STR ? v->str : NULL;
}
static int jbool(json *o, const char *key) { json *v = jget(o, key); return v && v->type == J_BOOL && v->num; }
static long jnum(json *o, const char *key, long def) {
  json *v = jget(o, key);
  return v && v->type == J_NUM ? (long)v->num : def;
}
/* A NULL-terminated array of the strings in o[key]. */
static char **jstrs(json *o, const char *key) {
  json *v = jget(o, key);
  int n = v && v->type == J_ARR ? v->n : 0;
  char **out = calloc((size_t)n + 1, sizeof(char *));
  for (int i = 0; i < n; i++) out[i] = v->items[i]->type == J_STR ? v->items[i]->str : "";
  return out;
}

/* ---------- reporting ---------- */

static int status_fd = -1;
static int err_pipe = -1; /* set in the container's processes: tells the outer shim why setup failed */

static void json_escape(char *out, size_t cap, const char *s) {
  size_t n = 0;
  for (; *s && n + 8 < cap; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') { out[n++] = '\\'; out[n++] = (char)c; }
    else if (c < 0x20) n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
    else out[n++] = (char)c;
  }
  out[n] = 0;
}

static void status_line(const char *fmt, ...) {
  if (status_fd < 0) return;
  char buf[8192];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof buf - 2) n = (int)sizeof buf - 2;
  buf[n++] = '\n';
  if (write(status_fd, buf, (size_t)n) < 0) { /* the spawner went away: nothing to tell */ }
}

/* Fatal error before the command runs: message to stderr (and to the outer shim), distinct code. */
static void die(int code, const char *fmt, ...) {
  char msg[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (err_pipe >= 0) {
    char buf[4200];
    int n = snprintf(buf, sizeof buf, "%d %s", code, msg);
    if (write(err_pipe, buf, (size_t)n) < 0) {}
    _exit(code);
  }
  fprintf(stderr, "kubelite-shim: %s\n", msg);
  char esc[8192];
  json_escape(esc, sizeof esc, msg);
  status_line("{\"error\":\"%s\",\"exitCode\":%d}", esc, code);
  exit(code);
}

static const char *signame(int sig) {
  static const char *names[] = {[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
    [SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS",
    [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV",
    [SIGUSR2] = "SIGUSR2", [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
    [SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ", [SIGSYS] = "SIGSYS"};
  return sig > 0 && sig < (int)(sizeof names / sizeof *names) && names[sig] ? names[sig] : NULL;
}

/* ---------- small file helpers ---------- */

static int write_file(const char *path, const char *data) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, data, strlen(data));
  int saved = errno;
  close(fd);
  errno = saved;
  return n < 0 ? -1 : 0;
}

static void mkdir_p(const char *path, mode_t mode) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    mkdir(buf, mode);
    *p = '/';
  }
  mkdir(buf, mode);
}

static int is_dir(const char *path) { struct stat st; return stat(path, &st) == 0 && S_ISDIR(st.st_mode); }

static void mount_or_die(const char *src, const char *dst, const char *type, unsigned long flags, const char *data) {
  if (mount(src, dst, type, flags, data) < 0)
    die(EXIT_SETUP, "mount %s on %s (%s): %s", src ? src : "none", dst, type ? type : "bind", strerror(errno));
}

static void make_readonly(const char *path, int recursive) {
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
  if (syscall(SYS_mount_setattr, AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &attr, sizeof attr) < 0)
    die(EXIT_SETUP, "make %s read-only: %s", path, strerror(errno));
}

/* ---------- the root filesystem ---------- */

/* Host top-level entries the container never sees: it gets its own. */
static int skipped(const char *name) {
  static const char *skip[] = {".", "..", "proc", "sys", "dev", "run", "tmp", "lost+found", NULL};
  for (int i = 0; skip[i]; i++) if (!strcmp(name, skip[i])) return 1;
  return 0;
}

/* Mounts an overlay of (layers' `sub`..., lowest) + upper on target; -1 with errno on failure. */
static int overlay(const char *target, char **layers, const char *sub, const char *lowest,
                   const char *upper, const char *work) {
  char opts[4096], path[4096];
  size_t n = (size_t)snprintf(opts, sizeof opts, "lowerdir=");
  int first = 1;
  for (int i = 0; layers[i]; i++) {
    PATHF(path, "%s%s", layers[i], sub);
    if (!is_dir(path)) continue;
    n += (size_t)snprintf(opts + n, sizeof opts - n, "%s%s", first ? "" : ":", path);
    first = 0;
  }
  n += (size_t)snprintf(opts + n, sizeof opts - n, "%s%s,upperdir=%s,workdir=%s", first ? "" : ":", lowest, upper, work);
  if (n >= sizeof opts - 1) die(EXIT_SETUP, "overlay options for %s are too long", target);
  mkdir_p(upper, 0755);
  mkdir_p(work, 0700);
  return mount("overlay", target, "overlay", 0, opts);
}

/*
 * R = an overlay of (image layers..., a skeleton of the host's top level) with the writable upper,
 * and on each host top-level directory an overlay of (the layers' copies..., the host directory).
 * overlayfs with lowerdir=/ works only as root; ordinary-directory lowers work rootless too.
 */
static char **ro_mounts; static int n_ro;
static void build_rootfs(const char *root, char **layers, const char *upper, const char *work) {
  char skel[4096], p[4096], u[4096], w[4096];
  PATHF(skel, "%s/.skel", work);
  mkdir_p(skel, 0755);
  DIR *d = opendir("/");
  if (!d) die(EXIT_SETUP, "read /: %s", strerror(errno));
  struct dirent *e;
  char *dirs[256];
  int nd = 0;
  while ((e = readdir(d))) {
    if (skipped(e->d_name)) continue;
    PATHF(p, "%s/%s", skel, e->d_name);
    char host[4096], link[4096];
    PATHF(host, "/%s", e->d_name);
    struct stat st;
    if (lstat(host, &st) < 0) continue;
    if (S_ISLNK(st.st_mode)) {
      ssize_t n = readlink(host, link, sizeof link - 1);
      if (n < 0) continue;
      link[n] = 0;
      if (symlink(link, p) < 0 && errno != EEXIST) die(EXIT_SETUP, "symlink %s: %s", p, strerror(errno));
    } else if (S_ISDIR(st.st_mode) && access(host, R_OK | X_OK) == 0 && nd < 256) {
      mkdir(p, st.st_mode & 07777);
      dirs[nd++] = strdup(e->d_name);
    }
  }
  closedir(d);
  static const char *own[] = {"proc", "sys", "dev", "run", "tmp"};
  for (unsigned i = 0; i < sizeof own / sizeof *own; i++) {
    PATHF(p, "%s/%s", skel, own[i]);
    mkdir(p, 0755);
  }
  PATHF(w, "%s/.root", work);
  if (overlay(root, layers, "", skel, upper, w) < 0) die(EXIT_SETUP, "mount the root overlay on %s: %s", root, strerror(errno));
  ro_mounts = calloc((size_t)nd + 2, sizeof(char *));
  ro_mounts[n_ro++] = strdup(root);
  for (int i = 0; i < nd; i++) {
    char sub[512], host[512];
    PATHF(sub, "/%s", dirs[i]);
    PATHF(host, "/%s", dirs[i]);
    PATHF(p, "%s%s", root, sub);
    PATHF(u, "%s%s", upper, sub);
    PATHF(w, "%s/%s", work, dirs[i]);
    if (!is_dir(p)) continue; /* an image layer replaced it with a file: the layer wins */
    if (overlay(p, layers, sub, host, u, w) == 0) ro_mounts[n_ro++] = strdup(p);
    else {
      /* Rootless overlayfs refuses a lower with mounts locked beneath it (/mnt here): show the
         host directory read-only instead; the image's copy of it, if any, is hidden. */
      mount_or_die(host, p, NULL, MS_BIND | MS_REC, NULL);
      make_readonly(p, 1);
      rmdir(u);
    }
  }
}

static void bind_dev(const char *root, const char *name) {
  char dst[4096], src[64];
  PATHF(dst, "%s/dev/%s", root, name);
  snprintf(src, sizeof src, "/dev/%s", name);
  int fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
  if (fd >= 0) close(fd);
  if (mount(src, dst, NULL, MS_BIND, NULL) < 0) unlink(dst); /* a missing device is not fatal */
}

static void setup_dev(const char *root) {
  char p[4096];
  PATHF(p, "%s/dev", root);
  mount_or_die("tmpfs", p, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536k");
  static const char *devs[] = {"null", "zero", "full", "random", "urandom", "tty"};
  for (unsigned i = 0; i < sizeof devs / sizeof *devs; i++) bind_dev(root, devs[i]);
  PATHF(p, "%s/dev/pts", root);
  mkdir(p, 0755);
  mount_or_die("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
  PATHF(p, "%s/dev/shm", root);
  mkdir(p, 01777);
  mount_or_die("shm", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
  static const char *links[][2] = {{"ptmx", "pts/ptmx"}, {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"}, {"core", "/proc/kcore"}};
  for (unsigned i = 0; i < sizeof links / sizeof *links; i++) {
    PATHF(p, "%s/dev/%s", root, links[i][0]);
    if (symlink(links[i][1], p) < 0 && errno != EEXIST) die(EXIT_SETUP, "symlink %s: %s", p, strerror(errno));
  }
}

/* A bind mount from the node into the container; the mount point is made to match the source. */
static void bind_into(const char *root, const char *src, const char *target, int readonly) {
  char dst[4096];
  PATHF(dst, "%s%s", root, target);
  struct stat st;
  if (stat(src, &st) < 0) die(EXIT_SETUP, "mount %s: %s", src, strerror(errno));
  if (S_ISDIR(st.st_mode)) mkdir_p(dst, 0755);
  else {
    char parent[4096];
    PATHF(parent, "%s", dst);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) { *slash = 0; mkdir_p(parent, 0755); }
    int fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd >= 0) close(fd);
  }
  mount_or_die(src, dst, NULL, MS_BIND | MS_REC, NULL);
  if (readonly) make_readonly(dst, 1);
}

static int pivot_root(const char *new_root, const char *put_old) {
  return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static void setup_mounts(json *spec) {
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    die(EXIT_SETUP, "make / private: %s", strerror(errno));
  const char *upper = jstr(spec, "upper"), *work = jstr(spec, "work");
  if (!upper || !work) { /* no root filesystem: only a fresh /proc for the new PID namespace */
    if (!jget(spec, "pidns") || jbool(spec, "pause")) mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    return;
  }
  char root[4096], p[4096];
  PATHF(root, "%s/.mnt", work);
  mkdir_p(root, 0755);
  build_rootfs(root, jstrs(spec, "layers"), upper, work);
  PATHF(p, "%s/proc", root);
  mount_or_die("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  PATHF(p, "%s/sys", root);
  mount_or_die("/sys", p, NULL, MS_BIND | MS_REC, NULL);
  make_readonly(p, 1);
  setup_dev(root);
  PATHF(p, "%s/tmp", root);
  mount_or_die("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  PATHF(p, "%s/run", root);
  mount_or_die("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
  const char *cwd = jstr(spec, "cwd");
  if (cwd && *cwd == '/') { PATHF(p, "%s%s", root, cwd); mkdir_p(p, 0755); }
  json *mounts = jget(spec, "mounts");
  for (int i = 0; mounts && i < mounts->n; i++) {
    json *m = mounts->items[i];
    const char *src = jstr(m, "source"), *dst = jstr(m, "target");
    if (src && dst) bind_into(root, src, dst, jbool(m, "readOnly"));
  }
  /* Read-only root: mount points above were made first (runc's order), then the overlays freeze. */
  if (jbool(spec, "readOnly")) for (int i = 0; i < n_ro; i++) make_readonly(ro_mounts[i], 0);
  if (chdir(root) < 0) die(EXIT_SETUP, "chdir %s: %s", root, strerror(errno));
  if (pivot_root(".", ".") < 0) die(EXIT_SETUP, "pivot_root: %s", strerror(errno));
  if (umount2(".", MNT_DETACH) < 0) die(EXIT_SETUP, "detach the old root: %s", strerror(errno));
  if (chdir("/") < 0) die(EXIT_SETUP, "chdir /: %s", strerror(errno));
}

/* ---------- starting the command ---------- */

static const char *env_get(char **env, const char *name) {
  size_t n = strlen(name);
  for (; *env; env++) if (!strncmp(*env, name, n) && (*env)[n] == '=') return *env + n + 1;
  return NULL;
}

static void send_fd(int sock, int fd) {
  char data = 'm';
  struct iovec iov = {.iov_base = &data, .iov_len = 1};
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  if (sendmsg(sock, &msg, 0) < 0) die(EXIT_SETUP, "send the pty: %s", strerror(errno));
}

static int recv_fd(int sock) {
  char data;
  struct iovec iov = {.iov_base = &data, .iov_len = 1};
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0) return -1;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return fd;
}

/* The pty is made inside the container (its own devpts), so `tty` names /dev/pts/N there. */
static void open_pty(int sock) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) die(EXIT_SETUP, "open a pty: %s", strerror(errno));
  char *name = ptsname(master);
  int slave = name ? open(name, O_RDWR | O_NOCTTY) : -1;
  if (slave < 0) die(EXIT_SETUP, "open the pty slave: %s", strerror(errno));
  send_fd(sock, master);
  close(master);
  close(sock);
  setsid();
  if (ioctl(slave, TIOCSCTTY, 0) < 0) die(EXIT_SETUP, "set the controlling tty: %s", strerror(errno));
  for (int fd = 0; fd < 3; fd++) dup2(slave, fd);
  if (slave > 2) close(slave);
}

/* The pipes in place of stdio: the command's ends, or the outer shim's; -1 = the shim's own fd. */
typedef struct { int in, out, err; } stdio_fds;

static void close_stdio(stdio_fds f) {
  if (f.in >= 0) close(f.in);
  if (f.out >= 0) close(f.out);
  if (f.err >= 0) close(f.err);
}

/* Becomes the command: identity, cwd, environment, exec. Errors read like runc's. */
static void become(json *spec, int pty_sock, stdio_fds pipes) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (jbool(spec, "tty")) open_pty(pty_sock);
  else if (pty_sock >= 0) close(pty_sock);
  if ((pipes.in >= 0 && dup2(pipes.in, 0) < 0) || (pipes.out >= 0 && (dup2(pipes.out, 1) < 0 || dup2(pipes.err, 2) < 0)))
    die(EXIT_SETUP, "stdio: %s", strerror(errno));
  json *user = jget(spec, "user");
  if (user) {
    /* The pipes are ours: a command under another uid could use fds 0-2 but not reopen them as
       /dev/stdout (a pipe's inode is mode 0600), so it is given them, as runc does. Best effort:
       a uid the user namespace cannot map fails below anyway. */
    uid_t uid = (uid_t)jnum(user, "uid", 0);
    gid_t gid = (gid_t)jnum(user, "gid", 0);
    for (int fd = 0; fd < 3; fd++)
      if ((fd == 0 ? pipes.in : pipes.out) >= 0 && fchown(fd, uid, gid) < 0) { /* see above */ }
    json *groups = jget(user, "groups");
    gid_t gids[64];
    int ng = 0;
    for (int i = 0; groups && i < groups->n && ng < 64; i++) gids[ng++] = (gid_t)groups->items[i]->num;
    if (setgroups((size_t)ng, gids) < 0 && errno != EPERM) die(EXIT_SETUP, "setgroups: %s", strerror(errno));
    if (setgid((gid_t)jnum(user, "gid", 0)) < 0) die(EXIT_SETUP, "setgid %ld: %s", jnum(user, "gid", 0), strerror(errno));
    if (setuid((uid_t)jnum(user, "uid", 0)) < 0) die(EXIT_SETUP, "setuid %ld: %s", jnum(user, "uid", 0), strerror(errno));
  }
  if (jbool(spec, "noNewPrivs") && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    die(EXIT_SETUP, "no_new_privs: %s", strerror(errno));
  const char *cwd = jstr(spec, "cwd");
  if (cwd && *cwd && chdir(cwd) < 0)
    die(EXIT_SETUP, "chdir to cwd (\"%s\") set in config.json failed: %s", cwd, strerror(errno));
  /* After setuid (which clears it): the command dies with its init even when it is not PID 1
     (a shared PID namespace), so a killed container does not leave it running under pause. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  /* Only stdio reaches the command, as with runc: whatever the agent (or its parents) left
     open is closed at exec. CLOEXEC rather than close, so a failed exec can still report. */
  syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
  char **argv = jstrs(spec, "argv"), **env = jstrs(spec, "env");
  if (!argv[0]) die(EXIT_SETUP, "no command given");
  const char *cmd = argv[0];
  if (strchr(cmd, '/')) {
    execve(cmd, argv, env);
    if (errno == ENOENT) die(EXIT_NOTFOUND, "exec: \"%s\": stat %s: no such file or directory", cmd, cmd);
    die(errno == EACCES || errno == EISDIR ? EXIT_NOEXEC : EXIT_SETUP, "exec: \"%s\": %s", cmd,
        errno == EACCES ? "permission denied" : strerror(errno));
  }
  const char *path = env_get(env, "PATH");
  if (!path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  int denied = 0;
  char *dirs = strdup(path), *save = NULL;
  for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
    char full[4096];
    PATHF(full, "%s/%s", *dir ? dir : ".", cmd);
    struct stat st;
    if (stat(full, &st) < 0 || S_ISDIR(st.st_mode)) continue;
    execve(full, argv, env);
    if (errno == EACCES) denied = 1;
  }
  if (denied) die(EXIT_NOEXEC, "exec: \"%s\": permission denied", cmd);
  die(EXIT_NOTFOUND, "exec: \"%s\": executable file not found in $PATH", cmd);
}

/* ---------- init (PID 1 of the container) ---------- */

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

static int signal_fd_for(int with_forwarded) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  if (with_forwarded) for (unsigned i = 0; i < sizeof forwarded / sizeof *forwarded; i++) sigaddset(&set, forwarded[i]);
  sigprocmask(SIG_BLOCK, &set, NULL);
  return signalfd(-1, &set, SFD_CLOEXEC);
}

/* Forwards signals to `child` (0 = pause: TERM/INT end it), reaps every zombie, returns when `child` exits. */
static int supervise(pid_t child, int sfd) {
  for (;;) {
    struct signalfd_siginfo si;
    if (read(sfd, &si, sizeof si) != sizeof si) { if (errno == EINTR) continue; return 255 << 8; }
    if (si.ssi_signo != SIGCHLD) {
      if (child > 0) kill(child, (int)si.ssi_signo);
      else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) return 0;
      continue;
    }
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) if (pid == child) return st;
  }
}

/* ---------- the outer shim: pty relay, signal forwarding, status ---------- */

/* Writes all of buf; -1 when fd is gone (EPIPE: SIGPIPE is ignored in the outer shim). */
static int relay_write(int fd, const char *buf, ssize_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, (size_t)n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) { struct pollfd p = {.fd = fd, .events = POLLOUT}; poll(&p, 1, -1); continue; }
      return -1;
    }
    buf += w; n -= w;
  }
  return 0;
}

/*
 * Moves what is in the pipe `*fd` to `to`. At EOF, or when `to` is gone, the pipe is closed: a
 * command still writing then gets EPIPE/SIGPIPE, as it would writing to a closed stdout itself.
 */
static void relay_pipe(int *fd, int to) {
  char buf[65536];
  ssize_t r = read(*fd, buf, sizeof buf);
  if (r < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (r <= 0 || relay_write(to, buf, r) < 0) { close(*fd); *fd = -1; }
}

/* Everything still buffered in the pipe, without waiting for writers that outlive the command. */
static void drain_pipe(int *fd, int to) {
  if (*fd < 0) return;
  fcntl(*fd, F_SETFL, O_NONBLOCK);
  while (*fd >= 0) {
    char buf[65536];
    ssize_t r = read(*fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0 || relay_write(to, buf, r) < 0) { close(*fd); *fd = -1; }
  }
}

static void apply_resize(int master, char *line) {
  unsigned cols, rows;
  if (master >= 0 && sscanf(line, "%u %u", &cols, &rows) == 2) {
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    ioctl(master, TIOCSWINSZ, &ws);
  }
}

/*
 * Waits for `child` while relaying the pty or the stdio pipes (`relay`: the write end of stdin's,
 * the read ends of stdout's and stderr's) and forwarding signals. `errfd` carries a setup error
 * ("<code> <message>") or reaches EOF once the command was exec'd; `statfd` carries the command's
 * wait status from init ("<status>"), empty in exec mode (the child is the command).
 */
static int outer(pid_t child, int sfd, int errfd, int statfd, int pty_sock, int resize_fd, int report_pid,
                 stdio_fds relay) {
  int master = -1, started = 0, err_code = 0, child_status = -1, cmd_status = -1;
  char errbuf[4200] = "", statbuf[64] = "", resbuf[256] = "";
  size_t errlen = 0, statlen = 0, reslen = 0;
  int stdin_open = 1, in = relay.in, out = relay.out, err = relay.err;
  /* stdin is read from fd 0 only once the last chunk is in the pipe: a command that does not read
     its stdin holds the spawner's writes back, never this loop (`in` is non-blocking). */
  char inbuf[65536];
  size_t inlen = 0, inoff = 0;
  signal(SIGPIPE, SIG_IGN); /* a reader gone away is relay_write's -1, not the end of the shim */
  while (child_status < 0 || errfd >= 0 || statfd >= 0) {
    struct pollfd p[10];
    int n = 0, i_sig = n++, i_err = -1, i_stat = -1, i_sock = -1, i_master = -1, i_in = -1, i_res = -1;
    int i_out = -1, i_eout = -1, i_pin = -1;
    p[i_sig] = (struct pollfd){.fd = sfd, .events = POLLIN};
    if (errfd >= 0) p[i_err = n++] = (struct pollfd){.fd = errfd, .events = POLLIN};
    if (statfd >= 0) p[i_stat = n++] = (struct pollfd){.fd = statfd, .events = POLLIN};
    if (pty_sock >= 0) p[i_sock = n++] = (struct pollfd){.fd = pty_sock, .events = POLLIN};
    if (master >= 0) p[i_master = n++] = (struct pollfd){.fd = master, .events = POLLIN};
    if (master >= 0 && stdin_open) p[i_in = n++] = (struct pollfd){.fd = 0, .events = POLLIN};
    if (resize_fd >= 0) p[i_res = n++] = (struct pollfd){.fd = resize_fd, .events = POLLIN};
    if (in >= 0) p[i_pin = n++] = inoff < inlen ? (struct pollfd){.fd = in, .events = POLLOUT}
                                                : (struct pollfd){.fd = 0, .events = POLLIN};
    if (out >= 0) p[i_out = n++] = (struct pollfd){.fd = out, .events = POLLIN};
    if (err >= 0) p[i_eout = n++] = (struct pollfd){.fd = err, .events = POLLIN};
    if (poll(p, (nfds_t)n, -1) < 0) { if (errno == EINTR) continue; break; }
    if (p[i_sig].revents) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGCHLD) {
          int st;
          if (waitpid(child, &st, WNOHANG) == child) child_status = st;
        } else kill(child, (int)si.ssi_signo);
      }
    }
    if (i_err >= 0 && p[i_err].revents) {
      ssize_t r = read(errfd, errbuf + errlen, sizeof errbuf - 1 - errlen);
      if (r > 0) errlen += (size_t)r;
      else {
        close(errfd); errfd = -1;
        errbuf[errlen] = 0;
        if (errlen) {
          char *msg = strchr(errbuf, ' ');
          err_code = atoi(errbuf);
          msg = msg ? msg + 1 : errbuf;
          fprintf(stderr, "%s\n", msg);
          char esc[8400];
          json_escape(esc, sizeof esc, msg);
          status_line("{\"error\":\"%s\",\"exitCode\":%d}", esc, err_code);
        } else if (!started) {
          started = 1;
          status_line("{\"started\":true,\"pid\":%d}", report_pid ? (int)child : (int)getpid());
        }
      }
    }
    if (i_stat >= 0 && p[i_stat].revents) {
      ssize_t r = read(statfd, statbuf + statlen, sizeof statbuf - 1 - statlen);
      if (r > 0) statlen += (size_t)r;
      else { close(statfd); statfd = -1; statbuf[statlen] = 0; if (statlen) cmd_status = atoi(statbuf); }
    }
    if (i_sock >= 0 && p[i_sock].revents) {
      master = recv_fd(pty_sock);
      close(pty_sock); pty_sock = -1;
      if (master >= 0 && reslen) apply_resize(master, resbuf);
    }
    if (i_res >= 0 && p[i_res].revents) {
      ssize_t r = read(resize_fd, resbuf + reslen, sizeof resbuf - 1 - reslen);
      if (r <= 0) { close(resize_fd); resize_fd = -1; }
      else {
        reslen += (size_t)r;
        resbuf[reslen] = 0;
        char *nl;
        while ((nl = strchr(resbuf, '\n'))) {
          *nl = 0;
          apply_resize(master, resbuf);
          if (master < 0) { *nl = '\n'; break; } /* keep the size for when the pty arrives */
          memmove(resbuf, nl + 1, strlen(nl + 1) + 1);
          reslen = strlen(resbuf);
        }
        if (reslen > 200) reslen = 0, resbuf[0] = 0;
      }
    }
    if (i_in >= 0 && p[i_in].revents) {
      char buf[8192];
      ssize_t r = read(0, buf, sizeof buf);
      if (r <= 0) stdin_open = 0; else relay_write(master, buf, r);
    }
    if (i_master >= 0 && p[i_master].revents) {
      char buf[8192];
      ssize_t r = read(master, buf, sizeof buf);
      if (r <= 0) { close(master); master = -1; } else relay_write(1, buf, r);
    }
    if (i_pin >= 0 && p[i_pin].revents) {
      if (inoff == inlen) {
        ssize_t r = read(0, inbuf, sizeof inbuf);
        if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) { close(in); in = -1; } /* EOF for the command */
        else if (r > 0) inlen = (size_t)r, inoff = 0;
      }
      while (in >= 0 && inoff < inlen) {
        ssize_t w = write(in, inbuf + inoff, inlen - inoff);
        if (w > 0) inoff += (size_t)w;
        else if (w < 0 && errno == EINTR) continue;
        else if (w < 0 && errno == EAGAIN) break;
        else { close(in); in = -1; } /* the command closed its stdin */
      }
    }
    if (i_out >= 0 && p[i_out].revents) relay_pipe(&out, 1);
    if (i_eout >= 0 && p[i_eout].revents) relay_pipe(&err, 2);
  }
  /* The command is gone, so all it wrote is in the pipes; so is its descendants' output unless
     they outlive it (a shared PID namespace, exec): those get EPIPE once we are gone. */
  drain_pipe(&out, 1);
  drain_pipe(&err, 2);
  if (in >= 0) close(in);
  if (master >= 0) { /* drain what the command wrote before it ended */
    fcntl(master, F_SETFL, O_NONBLOCK);
    char buf[8192];
    ssize_t r;
    while ((r = read(master, buf, sizeof buf)) > 0) relay_write(1, buf, r);
  }
  if (err_code) return err_code;
  int st = cmd_status >= 0 ? cmd_status : child_status;
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  const char *sig = WIFSIGNALED(st) ? signame(WTERMSIG(st)) : NULL;
  if (sig) status_line("{\"exited\":true,\"exitCode\":%d,\"signal\":\"%s\"}", code, sig);
  else status_line("{\"exited\":true,\"exitCode\":%d,\"signal\":null}", code);
  return code;
}

/* ---------- modes ---------- */

static int open_ns(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(EXIT_SETUP, "open %s: %s", path, strerror(errno));
  return fd;
}

static void join_cgroups(json *spec) {
  char **procs = jstrs(spec, "cgroupProcs");
  for (int i = 0; procs[i]; i++)
    if (write_file(procs[i], "0") < 0) die(EXIT_SETUP, "join cgroup %s: %s", procs[i], strerror(errno));
}

static void map_user(void) {
  char buf[64];
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER) < 0) die(EXIT_SETUP, "new user namespace: %s", strerror(errno));
  snprintf(buf, sizeof buf, "0 %u 1", uid);
  if (write_file("/proc/self/uid_map", buf) < 0) die(EXIT_SETUP, "uid_map: %s", strerror(errno));
  write_file("/proc/self/setgroups", "deny");
  snprintf(buf, sizeof buf, "0 %u 1", gid);
  if (write_file("/proc/self/gid_map", buf) < 0) die(EXIT_SETUP, "gid_map: %s", strerror(errno));
}

/*
 * Without a tty the command gets pipes that the outer shim relays to and from its own stdio: a
 * program may reopen /dev/stdout (nginx's access_log) or /dev/stdin, which works for a pipe, as
 * runtimes give it, but not for the socket pairs the spawner hands us (ENXIO). stdin only when it
 * is such a socket (/dev/null for no stdin is kept). CLOEXEC: only become() dups them.
 */
static stdio_fds stdio_open(json *spec, stdio_fds *relay) {
  stdio_fds cmd = {-1, -1, -1};
  *relay = cmd;
  if (jbool(spec, "tty") || jbool(spec, "pause")) return cmd;
  int o[2], e[2], i[2];
  if (pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0) die(EXIT_SETUP, "pipe: %s", strerror(errno));
  relay->out = o[0]; relay->err = e[0];
  cmd.out = o[1]; cmd.err = e[1];
  struct stat st;
  if (fstat(0, &st) == 0 && S_ISSOCK(st.st_mode)) {
    if (pipe2(i, O_CLOEXEC) < 0) die(EXIT_SETUP, "pipe: %s", strerror(errno));
    fcntl(i[1], F_SETFL, O_NONBLOCK);
    relay->in = i[1]; cmd.in = i[0];
  }
  return cmd;
}

static int run(json *spec) {
  const char *netns = jstr(spec, "netns"), *pidns = jstr(spec, "pidns");
  int net_fd = netns ? open_ns(netns) : -1, pid_fd = pidns ? open_ns(pidns) : -1;
  if (net_fd >= 0 && setns(net_fd, CLONE_NEWNET) < 0) die(EXIT_SETUP, "join network namespace %s: %s", netns, strerror(errno));
  if (jbool(spec, "userns")) map_user();
  int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | (pid_fd < 0 ? CLONE_NEWPID : 0);
  if (unshare(flags) < 0) die(EXIT_SETUP, "new namespaces: %s", strerror(errno));
  if (pid_fd >= 0 && setns(pid_fd, CLONE_NEWPID) < 0) die(EXIT_SETUP, "join PID namespace %s: %s", pidns, strerror(errno));
  int errp[2], statp[2], sock[2] = {-1, -1};
  if (pipe2(errp, O_CLOEXEC) < 0 || pipe2(statp, O_CLOEXEC) < 0) die(EXIT_SETUP, "pipe: %s", strerror(errno));
  int tty = jbool(spec, "tty");
  if (tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0) die(EXIT_SETUP, "socketpair: %s", strerror(errno));
  stdio_fds relay, cmd_io = stdio_open(spec, &relay);
  int sfd = signal_fd_for(1);
  pid_t init = fork();
  if (init < 0) die(EXIT_SETUP, "fork: %s", strerror(errno));
  if (init == 0) {
    close(errp[0]); close(statp[0]); close(sfd);
    if (sock[0] >= 0) close(sock[0]);
    close_stdio(relay);
    err_pipe = errp[1];
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* the spawner's SIGKILL of the shim ends the container */
    join_cgroups(spec);
    const char *hostname = jstr(spec, "hostname");
    if (hostname && sethostname(hostname, strlen(hostname)) < 0) die(EXIT_SETUP, "sethostname: %s", strerror(errno));
    setup_mounts(spec);
    int isfd = signal_fd_for(1);
    if (jbool(spec, "pause")) { close(errp[1]); _exit(WEXITSTATUS(supervise(0, isfd))); }
    pid_t cmd = fork();
    if (cmd < 0) die(EXIT_SETUP, "fork: %s", strerror(errno));
    if (cmd == 0) { close(isfd); close(statp[1]); become(spec, sock[1], cmd_io); }
    close(errp[1]);
    close_stdio(cmd_io); /* the command's alone: EOF comes when it and its children are done */
    if (sock[1] >= 0) close(sock[1]);
    int st = supervise(cmd, isfd);
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%d", st);
    if (write(statp[1], buf, (size_t)n) < 0) {}
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  }
  close(errp[1]); close(statp[1]);
  if (sock[1] >= 0) close(sock[1]);
  close_stdio(cmd_io);
  int resize_fd = (int)jnum(spec, "resizeFd", -1);
  return outer(init, sfd, errp[0], statp[0], sock[0], resize_fd, 1, relay);
}

/* Enters a running container through its init's namespaces, like `nsenter -t PID -a`. */
static int exec_in(json *spec) {
  long pid = jnum(spec, "pid", 0);
  if (pid <= 0) die(EXIT_SETUP, "exec: no pid");
  static const struct { const char *name; int type; } nss[] = {{"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP}, {"mnt", CLONE_NEWNS}};
  int fds[7];
  for (int i = 0; i < 7; i++) {
    char path[64];
    PATHF(path, "/proc/%ld/ns/%s", pid, nss[i].name);
    fds[i] = open_ns(path);
  }
  join_cgroups(spec); /* host paths: before entering the container's mount namespace */
  for (int i = 0; i < 7; i++) {
    /* Namespaces the container shares with us are skipped: after entering its user namespace we
       could not re-enter ones owned by an ancestor (the node's network for hostNetwork pods). */
    char self[64];
    struct stat a, b;
    snprintf(self, sizeof self, "/proc/self/ns/%s", nss[i].name);
    if (fstat(fds[i], &a) == 0 && stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
      close(fds[i]);
      continue;
    }
    if (setns(fds[i], nss[i].type) < 0) die(EXIT_SETUP, "join %s namespace of %ld: %s", nss[i].name, pid, strerror(errno));
    close(fds[i]);
  }
  int errp[2], sock[2] = {-1, -1};
  if (pipe2(errp, O_CLOEXEC) < 0) die(EXIT_SETUP, "pipe: %s", strerror(errno));
  if (jbool(spec, "tty") && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0)
    die(EXIT_SETUP, "socketpair: %s", strerror(errno));
  stdio_fds relay, cmd_io = stdio_open(spec, &relay);
  int sfd = signal_fd_for(1);
  pid_t child = fork();
  if (child < 0) die(EXIT_SETUP, "fork: %s", strerror(errno));
  if (child == 0) {
    close(errp[0]); close(sfd);
    if (sock[0] >= 0) close(sock[0]);
    close_stdio(relay);
    err_pipe = errp[1];
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    become(spec, sock[1], cmd_io);
  }
  close(errp[1]);
  if (sock[1] >= 0) close(sock[1]);
  close_stdio(cmd_io);
  return outer(child, sfd, errp[0], -1, sock[0], (int)jnum(spec, "resizeFd", -1), 0, relay);
}

static char *read_all(const char *path) {
  /* /dev/fd/N is read from descriptor N itself: Node hands extra stdio over as socket pairs,
     which cannot be opened through /proc. */
  int fd = !strncmp(path, "/dev/fd/", 8) ? atoi(path + 8) : open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(EXIT_SETUP, "read spec %s: %s", path, strerror(errno));
  size_t cap = 65536, len = 0;
  char *buf = malloc(cap);
  ssize_t r;
  while ((r = read(fd, buf + len, cap - len - 1)) > 0) if ((len += (size_t)r) + 1 >= cap) buf = realloc(buf, cap *= 2);
  close(fd);
  buf[len] = 0;
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 3 || (strcmp(argv[1], "run") && strcmp(argv[1], "exec"))) {
    fprintf(stderr, "usage: kubelite-shim run|exec SPEC-JSON|SPEC-FILE\n");
    return EXIT_SETUP;
  }
  /* A spec handed over on a descriptor (it holds env values, Secrets among them, which must
     not show in the process list) is read to its end and closed: read_all closes it. */
  jp = argv[2][0] == '{' ? argv[2] : read_all(argv[2]);
  json *spec = jvalue();
  status_fd = (int)jnum(spec, "statusFd", -1);
  if (status_fd >= 0) fcntl(status_fd, F_SETFD, FD_CLOEXEC);
  int resize_fd = (int)jnum(spec, "resizeFd", -1);
  if (resize_fd >= 0) fcntl(resize_fd, F_SETFD, FD_CLOEXEC);
  return !strcmp(argv[1], "run") ? run(spec) : exec_in(spec);
}
