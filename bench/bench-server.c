/* bench-server.c: how fast zhurnal-server answers on this machine — journal pages read from the
 * database, unchanged pages answered 304, batch writes, and latency at 50 and 200 connections.
 *
 * It measures on the generated demo school (zh-demo.h) at scale 3, seed 1, "today" the current
 * local date: generated once into a cache folder with its revs and changes feed (what
 * `zhurnal-server --demo` gives a freshly generated school), reused while it is complete and its
 * "today" at most a week old, so the edit window is still open for the batch writes. Each run
 * copies it to a temporary folder, starts the real `zhurnal-server --data COPY --demo --listen
 * 127.0.0.1:0` (which then only gives the demo logins their password) and loads it from this
 * process with a small epoll HTTP/1.1 client: N keep-alive connections, each sending its next
 * request as soon as the answer is in. The client is plain sockets rather than libsoup or wrk so
 * that it costs the shared two cores as little as possible and needs nothing beyond the build.
 *
 *   bench-server [--seconds N] [--cache DIR] [--fresh] [--journal-only] [--server PROGRAM]
 *
 * Each row also gives the service's CPU time (user and system, from /proc) per answer while it
 * was counted: on a machine whose cores are shared, a steadier figure than the rate.
 *
 * --journal-only measures only the journal pages from the database (to compare changes quickly);
 * --server runs another build of zhurnal-server (to compare two builds in the same conditions).
 */
#define G_LOG_DOMAIN "zh-bench"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "zh-demo.h"
#include "zh-policy.h"
#include "zh-server-store.h"
#include "zh-store.h"

#define DEMO_SCALE 3
#define DEMO_SEED 1
#define CACHE_MAX_AGE_DAYS 7
#define BATCH_SIZE 100
#define TIMEOUT_USEC (5 * G_USEC_PER_SEC)

/* A journal page: a group and one of its periods. */
typedef struct
{
  char group[37];
  char period[37];
} Page;

/* A lesson the batches add marks to: its id, the token of its group's teacher, and the students
 * on the group's list on its date. */
typedef struct
{
  char   id[37];
  char   token[48];
  char (*students)[37];
  guint  n_students;
} BatchLesson;

static char *
format_date (const GDate *date)
{
  char out[11];

  g_date_strftime (out, sizeof out, "%Y-%m-%d", date);
  return g_strdup (out);
}

static sqlite3_stmt *
prepare (ZhStore    *store,
         const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = zh_store_prepare (store, sql, &error);

  if (stmt == NULL)
    g_error ("%s", error->message);
  return stmt;
}

/* ---- the dataset --------------------------------------------------------------------------- */

static void
remove_database (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

static void
print_progress (double      fraction,
                const char *stage,
                gpointer    user_data)
{
  int *last = user_data;
  int percent = (int) (fraction * 100);

  if (percent / 10 != *last / 10)
    {
      g_printerr ("  %3d %% %s\n", percent, stage);
      *last = percent;
    }
}

/* The demo school in @dir/zhurnal.sqlite, made ready to serve; generated unless the folder holds
 * a complete one (the marker file "complete" is written last) of this scale and seed whose
 * "today" is at most CACHE_MAX_AGE_DAYS old. Returns its "today". */
static char *
ensure_cache (const char *dir,
              gboolean    fresh)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "zhurnal.sqlite", NULL);
  g_autofree char *marker = g_build_filename (dir, "complete", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autoptr(ZhStore) store = NULL;
  ZhDemoOptions options = { .scale = DEMO_SCALE, .seed = DEMO_SEED, .today = today };
  ZhDemoStats stats;
  int last = -10;
  gint64 t0;

  if (!fresh && g_file_get_contents (marker, &text, NULL, NULL))
    {
      int scale = 0, year, month, day;
      guint64 seed = 0;

      if (sscanf (text, "scale %d seed %" G_GUINT64_FORMAT " today %d-%d-%d", &scale, &seed, &year, &month,
                  &day) == 5 && scale == DEMO_SCALE && seed == DEMO_SEED && g_date_valid_dmy (day, month, year))
        {
          GDate made, now_date;
          int age;

          g_date_set_dmy (&made, day, month, year);
          g_date_set_dmy (&now_date, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                          g_date_time_get_year (now));
          age = g_date_days_between (&made, &now_date);
          if (age >= 0 && age <= CACHE_MAX_AGE_DAYS)
            {
              g_print ("dataset: the demo school in %s (scale %d, seed %d, today %04d-%02d-%02d)\n", dir,
                       DEMO_SCALE, DEMO_SEED, year, month, day);
              return format_date (&made);
            }
        }
    }

  g_unlink (marker);
  remove_database (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    g_error ("cannot create %s: %s", dir, g_strerror (errno));
  g_print ("dataset: generating the demo school into %s (scale %d, seed %d, today %s)\n", dir, DEMO_SCALE,
           DEMO_SEED, today);
  store = zh_store_open (path, ZH_STORE_FLAGS_BULK_LOAD, &error);
  if (store == NULL || !zh_demo_generate (store, &options, print_progress, &last, &stats, &error))
    g_error ("%s", error->message);
  g_print ("dataset: generated in %.1f s; ", stats.seconds);

  /* What `zhurnal-server --demo` does to a freshly generated school, once here rather than in
   * every run: revs and the changes feed for every row. */
  t0 = g_get_monotonic_time ();
  if (!zh_server_prepare_demo (store, &error) || !zh_store_exec (store, "ANALYZE", &error) ||
      !zh_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", &error))
    g_error ("%s", error->message);
  g_clear_object (&store);
  g_print ("revs and changes feed in %.1f s\n", (g_get_monotonic_time () - t0) / 1e6);

  g_free (text);
  text = g_strdup_printf ("scale %d seed %d today %s\n", DEMO_SCALE, DEMO_SEED, today);
  if (!g_file_set_contents (marker, text, -1, &error))
    g_error ("%s", error->message);
  return g_steal_pointer (&today);
}

/* Row counts of the entity tables and the changes feed, on one line. */
static void
print_row_counts (ZhStore *store)
{
  g_autoptr(GString) line = g_string_new ("rows:");

  for (guint i = 0; zh_entities[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", zh_entities[i]->table);
      sqlite3_stmt *stmt = prepare (store, sql);

      if (sqlite3_step (stmt) == SQLITE_ROW)
        g_string_append_printf (line, "%s %s %" G_GINT64_FORMAT, i > 0 ? "," : "", zh_entities[i]->table,
                                (gint64) sqlite3_column_int64 (stmt, 0));
      sqlite3_reset (stmt);
    }
  {
    sqlite3_stmt *stmt = prepare (store, "SELECT count(*) FROM change");

    if (sqlite3_step (stmt) == SQLITE_ROW)
      g_string_append_printf (line, ", change %" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 0));
    sqlite3_reset (stmt);
  }
  g_print ("%s\n", line->str);
}

/* Every journal page that has begun: each group with each quarter or half-year of its grade and
 * year whose start is not after @today — both years, so the previous year's complete pages too. */
static GArray *
read_pages (ZhStore    *store,
            const char *today)
{
  GArray *pages = g_array_new (FALSE, FALSE, sizeof (Page));
  sqlite3_stmt *stmt = prepare (store,
                                "SELECT g.id, p.id FROM study_group g JOIN class c ON c.id = g.class_id "
                                "JOIN period p ON p.year_id = c.year_id AND c.grade BETWEEN p.grade_from AND p.grade_to "
                                "WHERE p.kind IN ('quarter', 'half') AND p.starts <= ?1 ORDER BY g.rowid, p.starts");

  sqlite3_bind_text (stmt, 1, today, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Page page;

      g_strlcpy (page.group, (const char *) sqlite3_column_text (stmt, 0), sizeof page.group);
      g_strlcpy (page.period, (const char *) sqlite3_column_text (stmt, 1), sizeof page.period);
      g_array_append_val (pages, page);
    }
  sqlite3_reset (stmt);
  return pages;
}

/* The lessons batches may add marks to, as the group's own teacher would: dated from six days
 * before the service's date to the dataset's today (marks are entered on the day of the lesson or
 * later and within the edit window, 004 §3.6), not substituted, in grades with marks (000 §3.11)
 * and not in a pass/fail subject (ОРКСЭ). Fills @teachers with their teachers' staff ids. */
static GArray *
read_batch_lessons (ZhStore    *store,
                    const char *from,
                    const char *to,
                    GHashTable *teachers)
{
  GArray *lessons = g_array_new (FALSE, TRUE, sizeof (BatchLesson));
  sqlite3_stmt *stmt = prepare (store,
                                "SELECT l.id, g.teacher_id, l.date, l.group_id FROM lesson l "
                                "JOIN study_group g ON g.id = l.group_id JOIN class c ON c.id = g.class_id "
                                "WHERE l.date BETWEEN ?1 AND ?2 AND l.substitute = 0 AND g.teacher_id IS NOT NULL "
                                "AND c.grade >= 2 AND NOT EXISTS (SELECT 1 FROM period_mark pm "
                                "WHERE pm.group_id = g.id AND pm.value IN ('pass', 'fail')) ORDER BY l.rowid");
  sqlite3_stmt *members = prepare (store,
                                   "SELECT student_id FROM group_member WHERE group_id = ?1 AND date_from <= ?2 "
                                   "AND (date_to IS NULL OR date_to >= ?2) ORDER BY rowid");

  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      BatchLesson lesson = { 0 };
      const char *teacher = (const char *) sqlite3_column_text (stmt, 1);
      GArray *students = g_array_new (FALSE, FALSE, 37);

      g_strlcpy (lesson.id, (const char *) sqlite3_column_text (stmt, 0), sizeof lesson.id);
      g_snprintf (lesson.token, sizeof lesson.token, "bench-%s", teacher);
      g_hash_table_add (teachers, g_strdup (teacher));
      sqlite3_bind_text (members, 1, (const char *) sqlite3_column_text (stmt, 3), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (members, 2, (const char *) sqlite3_column_text (stmt, 2), -1, SQLITE_TRANSIENT);
      while (sqlite3_step (members) == SQLITE_ROW)
        {
          char student[37];

          g_strlcpy (student, (const char *) sqlite3_column_text (members, 0), sizeof student);
          g_array_append_val (students, student);
        }
      sqlite3_reset (members);
      lesson.n_students = students->len;
      lesson.students = (char (*)[37]) (gpointer) g_array_free (students, FALSE);
      if (lesson.n_students > 0)
        g_array_append_val (lessons, lesson);
      else
        g_free (lesson.students);
    }
  sqlite3_reset (stmt);
  return lessons;
}

/* Bench only: a session for each of @teachers in the copy, the token "bench-STAFF_ID", as a
 * sign-in would leave it. Only the four demo logins have a password, and signing in a hundred and
 * more teachers would cost as many Argon2id hashes and trip the sign-in limits. */
static void
write_sessions (const char *path,
                GHashTable *teachers)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = zh_store_open (path, ZH_STORE_FLAGS_NO_CREATE, &error);
  GHashTableIter iter;
  gpointer key;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  sqlite3_stmt *stmt;

  if (store == NULL || !zh_store_lock (store, &error))
    g_error ("%s", error->message);
  stmt = prepare (store, "INSERT INTO session (token_hash, staff_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)");
  g_hash_table_iter_init (&iter, teachers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autofree char *token = g_strdup_printf ("bench-%s", (const char *) key);
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);

      sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, key, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, now);
      sqlite3_bind_int64 (stmt, 4, now + 12 * 3600);
      if (!zh_store_step_done (store, stmt, &error))
        g_error ("%s", error->message);
    }
  if (!zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error) ||
      !zh_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", &error))
    g_error ("%s", error->message);
}

/* ---- the load generator -------------------------------------------------------------------- */

typedef enum { LOAD_JOURNAL, LOAD_NOT_MODIFIED, LOAD_BATCH } LoadKind;

typedef struct
{
  int         fd;
  GString    *out;
  gsize       out_pos;
  GByteArray *in;
  gint64      sent_at;
  gboolean    waiting;
  guint       page;       /* LOAD_NOT_MODIFIED: the page asked for */
  gboolean    want_out;   /* registered for EPOLLOUT */
} Conn;

typedef struct
{
  LoadKind     kind;
  guint16      port;
  GRand       *rand;
  GArray      *latencies;   /* gint64 µs of the answers after the warm-up */
  guint64      answers;
  guint64      errors;
  guint64      timeouts;
  guint64      ops;
  gboolean     counting;
  GPid         server_pid;
  gint64       cpu_start;   /* the service's CPU time in µs when counting began, or -1 */
  gint64       cpu_used;    /* its CPU time in µs while counting */
  const char  *reader_token; /* the deputy's: journal pages */
  const Page  *pages;
  guint        n_pages;
  char       **etags;       /* LOAD_NOT_MODIFIED: tag of each page */
  BatchLesson *lessons;     /* LOAD_BATCH */
  guint        n_lessons;
} Load;

/* The CPU time (user and system) the process @pid has used so far, in µs. */
static gint64
process_cpu_usec (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (after_name = strrchr (stat, ')')) == NULL)
    return 0;
  /* Fields after the name, from the state (3rd field of stat(5)): utime and stime are 14th and 15th. */
  fields = g_strsplit (after_name + 2, " ", 16);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10)) *
         G_USEC_PER_SEC / sysconf (_SC_CLK_TCK);
}

static void
append_request (Load    *load,
                Conn    *conn,
                gboolean batch_ok)
{
  g_string_truncate (conn->out, 0);
  conn->out_pos = 0;
  if (load->kind == LOAD_BATCH && batch_ok)
    {
      g_autoptr(GString) body = g_string_sized_new (BATCH_SIZE * 400);
      const BatchLesson *lesson = &load->lessons[g_rand_int_range (load->rand, 0, load->n_lessons)];
      g_autofree char *at = zh_time_to_iso8601 (g_get_real_time () / G_USEC_PER_SEC);

      /* 100 new marks by the group's teacher in one lesson, for students on its list. */
      g_string_append (body, "{\"operations\":[");
      for (int i = 0; i < BATCH_SIZE; i++)
        {
          g_autofree char *op_id = zh_uuid_new ();
          g_autofree char *mark_id = zh_uuid_new ();
          const char *student = lesson->students[g_rand_int_range (load->rand, 0, lesson->n_students)];

          g_string_append_printf (body, "%s{\"op_id\":\"%s\",\"entity\":\"mark\",\"action\":\"put\",\"id\":\"%s\","
                                  "\"base_rev\":0,\"value\":{\"id\":\"%s\",\"lesson_id\":\"%s\",\"student_id\":\"%s\","
                                  "\"value\":\"%d\",\"work_type\":\"answer\",\"weight\":1,\"entered_at\":\"%s\"}}",
                                  i > 0 ? "," : "", op_id, mark_id, mark_id, lesson->id, student,
                                  2 + g_rand_int_range (load->rand, 0, 4), at);
        }
      g_string_append (body, "]}");
      g_string_append_printf (conn->out, "POST /api/v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                              "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n", lesson->token, body->len);
      g_string_append_len (conn->out, body->str, body->len);
    }
  else
    {
      guint page = g_rand_int_range (load->rand, 0, load->n_pages);

      conn->page = page;
      g_string_append_printf (conn->out, "GET /api/v1/journal?group=%s&period=%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Authorization: Bearer %s\r\n", load->pages[page].group, load->pages[page].period,
                              load->reader_token);
      if (load->kind == LOAD_NOT_MODIFIED && load->etags[page] != NULL)
        g_string_append_printf (conn->out, "If-None-Match: %s\r\n", load->etags[page]);
      g_string_append (conn->out, "\r\n");
    }
  conn->sent_at = g_get_monotonic_time ();
  conn->waiting = TRUE;
}

static int
connect_to (guint16 port)
{
  struct sockaddr_in address = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;

  address.sin_family = AF_INET;
  address.sin_port = htons (port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0 && errno != EINPROGRESS)
    g_error ("connect: %s", g_strerror (errno));
  return fd;
}

/* A whole answer at the start of @in: its status, header and body lengths; FALSE while partial. */
static gboolean
parse_answer (GByteArray *in,
              int        *status,
              gsize      *length,
              const char **body)
{
  const char *data = (const char *) in->data;
  const char *end = in->len > 0 ? g_strstr_len (data, in->len, "\r\n\r\n") : NULL;
  g_autofree char *head = NULL;
  const char *cl;
  gsize content_length = 0;

  if (end == NULL)
    return FALSE;
  head = g_ascii_strdown (data, end - data);
  cl = strstr (head, "\r\ncontent-length:");
  if (cl != NULL)
    content_length = g_ascii_strtoull (cl + 17, NULL, 10);
  if (in->len < (gsize) (end - data) + 4 + content_length)
    return FALSE;
  *status = atoi (data + 9);
  *length = (end - data) + 4 + content_length;
  *body = end + 4;
  return TRUE;
}

static guint
count_applied (const char *body,
               gsize       length)
{
  guint n = 0;
  const char *p = body;
  const char *end = body + length;

  while ((p = g_strstr_len (p, end - p, "\"applied\"")) != NULL)
    {
      n++;
      p += 9;
    }
  return n;
}

/* Send what @conn has to send; wait for the socket to be writable (EPOLLOUT) only while some is
 * left, so epoll does not wake for every idle writable socket. */
static void
flush (int   epoll,
       Conn *conn,
       guint index)
{
  struct epoll_event ev = { .events = EPOLLIN, .data.u32 = index };

  while (conn->out_pos < conn->out->len)
    {
      ssize_t written = send (conn->fd, conn->out->str + conn->out_pos, conn->out->len - conn->out_pos, MSG_NOSIGNAL);

      if (written <= 0)
        break;
      conn->out_pos += written;
    }
  if ((conn->out_pos < conn->out->len) == conn->want_out)
    return;
  conn->want_out = !conn->want_out;
  if (conn->want_out)
    ev.events |= EPOLLOUT;
  epoll_ctl (epoll, EPOLL_CTL_MOD, conn->fd, &ev);
}

/* Run @load with @n_conns connections for @seconds (the first second warms up, uncounted). */
static void
run_load (Load  *load,
          guint  n_conns,
          double seconds)
{
  int epoll = epoll_create1 (0);
  g_autofree Conn *conns = g_new0 (Conn, n_conns);
  gint64 start = g_get_monotonic_time ();
  gint64 warm = start + G_USEC_PER_SEC;
  gint64 stop = warm + (gint64) (seconds * G_USEC_PER_SEC);
  struct epoll_event events[256];
  char buffer[65536];

  load->latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  load->cpu_start = -1;
  load->cpu_used = 0;
  for (guint i = 0; i < n_conns; i++)
    {
      struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

      conns[i].fd = connect_to (load->port);
      conns[i].out = g_string_new (NULL);
      conns[i].in = g_byte_array_new ();
      append_request (load, &conns[i], TRUE);
      epoll_ctl (epoll, EPOLL_CTL_ADD, conns[i].fd, &ev);
      flush (epoll, &conns[i], i);
    }

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      int n = epoll_wait (epoll, events, G_N_ELEMENTS (events), 100);
      gboolean waiting = FALSE;

      load->counting = now >= warm;
      if (load->counting && load->cpu_start < 0)
        load->cpu_start = process_cpu_usec (load->server_pid);
      for (int e = 0; e < n; e++)
        {
          Conn *conn = &conns[events[e].data.u32];
          int status;
          gsize length;
          const char *body;

          if ((events[e].events & EPOLLOUT) && conn->out_pos < conn->out->len)
            {
              ssize_t written = send (conn->fd, conn->out->str + conn->out_pos, conn->out->len - conn->out_pos,
                                      MSG_NOSIGNAL);

              if (written > 0)
                conn->out_pos += written;
            }
          if (events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
            {
              ssize_t got = recv (conn->fd, buffer, sizeof buffer, 0);

              if (got > 0)
                g_byte_array_append (conn->in, (guint8 *) buffer, got);
              else if (got == 0 || (errno != EAGAIN && errno != EINTR))
                {
                  /* The service closed the connection: an error; open another. */
                  if (load->counting)
                    load->errors++;
                  epoll_ctl (epoll, EPOLL_CTL_DEL, conn->fd, NULL);
                  close (conn->fd);
                  g_byte_array_set_size (conn->in, 0);
                  conn->fd = connect_to (load->port);
                  {
                    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = events[e].data.u32 };

                    epoll_ctl (epoll, EPOLL_CTL_ADD, conn->fd, &ev);
                  }
                  conn->want_out = FALSE;
                  append_request (load, conn, TRUE);
                  flush (epoll, conn, events[e].data.u32);
                  continue;
                }
            }
          while (conn->waiting && parse_answer (conn->in, &status, &length, &body))
            {
              gint64 latency = g_get_monotonic_time () - conn->sent_at;
              gboolean ok;

              switch (load->kind)
                {
                case LOAD_JOURNAL:
                  ok = status == 200 && length > 200;
                  break;
                case LOAD_NOT_MODIFIED:
                  ok = status == 304;
                  break;
                case LOAD_BATCH:
                default:
                  ok = status == 200 && count_applied (body, length - (body - (const char *) conn->in->data)) == BATCH_SIZE;
                  if (!ok && load->errors < 3 && load->counting)
                    g_printerr ("batch answer %d: %.300s\n", status, body);
                  break;
                }
              if (load->counting && g_get_monotonic_time () < stop)
                {
                  load->answers++;
                  load->ops += load->kind == LOAD_BATCH && ok ? BATCH_SIZE : 1;
                  if (!ok)
                    load->errors++;
                  if (latency > TIMEOUT_USEC)
                    load->timeouts++;
                  g_array_append_val (load->latencies, latency);
                }
              g_byte_array_remove_range (conn->in, 0, length);
              conn->waiting = FALSE;
              if (g_get_monotonic_time () < stop)
                append_request (load, conn, TRUE);
            }
          flush (epoll, conn, events[e].data.u32);
        }
      for (guint i = 0; i < n_conns; i++)
        waiting |= conns[i].waiting;
      if (g_get_monotonic_time () >= stop && load->cpu_start >= 0 && load->cpu_used == 0)
        load->cpu_used = MAX (1, process_cpu_usec (load->server_pid) - load->cpu_start);
      if (g_get_monotonic_time () >= stop && (!waiting || g_get_monotonic_time () >= stop + TIMEOUT_USEC))
        {
          for (guint i = 0; i < n_conns; i++)
            if (conns[i].waiting)
              load->timeouts++;
          break;
        }
    }

  for (guint i = 0; i < n_conns; i++)
    {
      close (conns[i].fd);
      g_string_free (conns[i].out, TRUE);
      g_byte_array_unref (conns[i].in);
    }
  close (epoll);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
report (const char *name,
        Load       *load,
        guint       n_conns,
        double      seconds,
        const char *target)
{
  GArray *l = load->latencies;
  double p50 = 0, p99 = 0;

  g_array_sort (l, compare_gint64);
  if (l->len > 0)
    {
      p50 = g_array_index (l, gint64, l->len / 2) / 1000.0;
      p99 = g_array_index (l, gint64, MIN (l->len - 1, (guint) (l->len * 0.99))) / 1000.0;
    }
  g_print ("| %-28s | %5u | %10.0f | %8.2f | %8.2f | %6" G_GUINT64_FORMAT " | %8" G_GUINT64_FORMAT " | %8.0f | %-22s |\n",
           name, n_conns, load->ops / seconds, p50, p99, load->errors, load->timeouts,
           load->answers > 0 ? (double) load->cpu_used / load->answers : 0.0, target);
  g_array_unref (l);
  load->latencies = NULL;
  load->answers = load->errors = load->timeouts = load->ops = 0;
}


/* One blocking request on its own connection; its status, and through @etag its tag and through
 * @body its body (NUL-terminated). */
static int
request_once (guint16      port,
              const char  *method,
              const char  *path,
              const char  *token,
              const char  *json,
              char       **etag,
              char       **body)
{
  int fd = connect_to (port);
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GString) request = g_string_new (NULL);
  char buffer[65536];
  ssize_t got;
  int status = 0;
  gsize length;
  const char *start;

  g_string_append_printf (request, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, path);
  if (token != NULL)
    g_string_append_printf (request, "Authorization: Bearer %s\r\n", token);
  if (json != NULL)
    g_string_append_printf (request, "Content-Type: application/json\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n",
                            strlen (json));
  g_string_append_printf (request, "\r\n%s", json != NULL ? json : "");
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  if (send (fd, request->str, request->len, MSG_NOSIGNAL) < 0)
    g_error ("send: %s", g_strerror (errno));
  while ((got = recv (fd, buffer, sizeof buffer, 0)) > 0)
    g_byte_array_append (in, (guint8 *) buffer, got);
  close (fd);
  if (!parse_answer (in, &status, &length, &start))
    return 0;
  if (etag != NULL)
    {
      g_autofree char *head = g_strndup ((const char *) in->data, start - (const char *) in->data);
      const char *e = strstr (head, "ETag: ");

      if (e != NULL)
        *etag = g_strndup (e + 6, strcspn (e + 6, "\r"));
    }
  if (body != NULL)
    *body = g_strndup (start, length - (start - (const char *) in->data));
  return status;
}

/* Sign in through the service as the demo account @login; its token. */
static char *
sign_in (guint16     port,
         const char *login)
{
  g_autofree char *json = g_strdup_printf ("{\"login\":\"%s\",\"password\":\"demo\"}", login);
  g_autofree char *body = NULL;
  int status = request_once (port, "POST", "/api/v1/session", NULL, json, NULL, &body);
  const char *token = body != NULL ? strstr (body, "\"token\":\"") : NULL;

  if (status != 201 || token == NULL)
    g_error ("signing in as %s: %d %s", login, status, body != NULL ? body : "");
  return g_strndup (token + 9, strcspn (token + 9, "\""));
}

static void
print_load_average (void)
{
  g_autofree char *loadavg = NULL;

  g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL);
  g_print ("load average %s", loadavg != NULL ? loadavg : "?\n");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autofree char *cache = NULL;
  g_autofree char *today = NULL;
  g_autofree char *cache_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *reader_token = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GArray) pages = NULL;
  g_autoptr(GArray) lessons = NULL;
  g_autoptr(GHashTable) teachers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(ZhPolicy) policy = zh_policy_new_default ();
  g_autofree Page *held = NULL;
  g_autofree char *program = NULL;
  gboolean fresh = FALSE;
  gboolean journal_only = FALSE;
  double seconds = 8;
  guint16 port = 0;
  guint64 page_bytes = 0;
  Load load = { 0 };
  gint64 t0;
  GOptionEntry entries[] = {
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds each measurement runs", "N" },
    { "cache", 0, 0, G_OPTION_ARG_FILENAME, &cache, "Folder of the generated demo school "
      "(default: the user's cache folder)", "DIR" },
    { "fresh", 0, 0, G_OPTION_ARG_NONE, &fresh, "Generate the demo school again", NULL },
    { "journal-only", 0, 0, G_OPTION_ARG_NONE, &journal_only, "Measure only the journal pages from "
      "the database", NULL },
    { "server", 0, 0, G_OPTION_ARG_FILENAME, &program, "The zhurnal-server to run (default: this "
      "build's)", "PROGRAM" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);
  print_load_average ();

  if (cache == NULL)
    cache = g_build_filename (g_get_user_cache_dir (), "zhurnal", "bench-server-scale3", NULL);
  today = ensure_cache (cache, fresh);
  cache_path = g_build_filename (cache, "zhurnal.sqlite", NULL);

  /* A cache made by an older build is brought to the current schema first (its indexes too). */
  {
    g_autoptr(ZhStore) store = zh_store_open (cache_path, ZH_STORE_FLAGS_NO_CREATE, &error);

    if (store == NULL)
      g_error ("%s", error->message);
  }

  /* What the load asks for, read from the pristine cache. Batches go to lessons from six days
   * before the service's date up to the dataset's today. */
  {
    g_autoptr(ZhStore) store = zh_store_open (cache_path, ZH_STORE_FLAGS_READ_ONLY, &error);
    GDate service_date;
    GDate dataset_date;

    if (store == NULL)
      g_error ("%s", error->message);
    print_row_counts (store);
    zh_policy_local_date (policy, g_get_real_time () / G_USEC_PER_SEC, &service_date);
    g_date_set_parse (&dataset_date, today);
    to = format_date (g_date_compare (&dataset_date, &service_date) < 0 ? &dataset_date : &service_date);
    g_date_subtract_days (&service_date, 6);
    from = format_date (&service_date);
    pages = read_pages (store, today);
    lessons = read_batch_lessons (store, from, to, teachers);
  }
  if (pages->len == 0 || lessons->len == 0)
    g_error ("the dataset has %u journal pages and %u lessons from %s to %s for the batches", pages->len,
             lessons->len, from, to);
  g_print ("%u journal pages (groups x begun quarters and half-years of both years); batches in %u lessons "
           "from %s to %s by %u teachers\n", pages->len, lessons->len, from, to, g_hash_table_size (teachers));

  /* The service writes to its data, so it runs on a copy. */
  dir = g_dir_make_tmp ("zh-bench-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  path = g_build_filename (dir, "zhurnal.sqlite", NULL);
  t0 = g_get_monotonic_time ();
  {
    g_autoptr(GFile) source = g_file_new_for_path (cache_path);
    g_autoptr(GFile) target = g_file_new_for_path (path);

    if (!g_file_copy (source, target, G_FILE_COPY_NONE, NULL, NULL, NULL, &error))
      g_error ("%s", error->message);
  }
  write_sessions (path, teachers);
  g_print ("copied to %s with %u teachers' sessions in %.1f s\n", dir, g_hash_table_size (teachers),
           (g_get_monotonic_time () - t0) / 1e6);

  /* --demo on a school that has its revs only gives the demo logins their password. */
  t0 = g_get_monotonic_time ();
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             program != NULL ? program : ZH_SERVER_PROGRAM, "--data", dir,
                             "--listen", "127.0.0.1:0", "--demo", NULL);
  if (server == NULL)
    g_error ("%s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      if (line == NULL)
        g_error ("the service did not start: %s", error != NULL ? error->message : "no output");
      if (g_str_has_prefix (line, "Listening on http://127.0.0.1:"))
        {
          port = (guint16) atoi (strrchr (line, ':') + 1);
          break;
        }
    }
  reader_token = sign_in (port, "deputy");
  g_print ("service on port %u, started in %.1f s; %.0f s per measurement after a 1 s warm-up; ", port,
           (g_get_monotonic_time () - t0) / 1e6, seconds);
  print_load_average ();

  load.port = port;
  load.server_pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (server), NULL, 10);
  load.rand = g_rand_new_with_seed (7);
  load.reader_token = reader_token;
  load.pages = (const Page *) (gpointer) pages->data;
  load.n_pages = pages->len;

  g_print ("\n| %-28s | %5s | %10s | %8s | %8s | %6s | %8s | %8s | %-22s |\n", "measurement", "conns", "per second",
           "p50 ms", "p99 ms", "errors", "timeouts", "CPU us", "target");
  g_print ("|------------------------------|-------|------------|----------|----------|--------|----------|----------|------------------------|\n");

  /* Journal pages from the database: random pages among all, far more than the 512 bodies the
   * service keeps, so nearly every answer is built from SQLite. */
  load.kind = LOAD_JOURNAL;
  run_load (&load, 50, seconds);
  report ("journal page, from database", &load, 50, seconds, ">= 3000/s, p99 < 50 ms");
  run_load (&load, 200, seconds);
  report ("journal page, from database", &load, 200, seconds, "no errors or timeouts");
  if (journal_only)
    goto done;

  /* Unchanged pages: 256 random pages whose tags the client holds. */
  load.kind = LOAD_NOT_MODIFIED;
  load.n_pages = MIN (256, pages->len);
  held = g_new (Page, load.n_pages);
  load.etags = g_new0 (char *, load.n_pages);
  for (guint p = 0; p < load.n_pages; p++)
    {
      g_autofree char *page_path = NULL;
      g_autofree char *page_body = NULL;

      held[p] = g_array_index (pages, Page, g_rand_int_range (load.rand, 0, pages->len));
      page_path = g_strdup_printf ("/api/v1/journal?group=%s&period=%s", held[p].group, held[p].period);
      if (request_once (port, "GET", page_path, reader_token, NULL, &load.etags[p], &page_body) != 200 ||
          load.etags[p] == NULL)
        g_error ("no page or no tag for %s", page_path);
      page_bytes += strlen (page_body);
    }
  load.pages = held;
  run_load (&load, 50, seconds);
  report ("journal page, 304 (ETag)", &load, 50, seconds, ">= 10000/s");
  run_load (&load, 200, seconds);
  report ("journal page, 304 (ETag)", &load, 200, seconds, "no errors or timeouts");
  for (guint p = 0; p < load.n_pages; p++)
    g_free (load.etags[p]);
  g_clear_pointer (&load.etags, g_free);

  /* Batches of 100 new marks by the group's teacher in a lesson of the last days. */
  load.kind = LOAD_BATCH;
  load.lessons = (BatchLesson *) (gpointer) lessons->data;
  load.n_lessons = lessons->len;
  run_load (&load, 50, seconds);
  report ("batch of 100 marks: ops", &load, 50, seconds, ">= 2000 ops/s");
  run_load (&load, 200, seconds);
  report ("batch of 100 marks: ops", &load, 200, seconds, "no errors or timeouts");
  g_print ("\nthe %u pages held for the 304s: %.0f KB a page on average; at the end: ", MIN (256, pages->len),
           page_bytes / 1024.0 / MIN (256, pages->len));
  print_load_average ();

done:
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  remove_database (path);
  g_rmdir (dir);
  for (guint i = 0; i < lessons->len; i++)
    g_free (g_array_index (lessons, BatchLesson, i).students);
  g_rand_free (load.rand);
  return 0;
}
