/* bench-server.c: how fast zhurnal-server answers on this machine — journal pages read from the
 * database, unchanged pages answered 304, batch writes, and latency at 50 and 200 connections.
 *
 * It builds a school of the demo's size at scale 3 (≈3,300 students, 132 classes, ≈140,000
 * lessons, ≈1,000,000 marks) with direct SQL in a temporary folder, starts the real
 * `zhurnal-server --data DIR --listen 127.0.0.1:0`, and loads it from this process with a small
 * epoll HTTP/1.1 client: N keep-alive connections, each sending its next request as soon as the
 * answer is in. The client is plain sockets rather than libsoup or wrk so that it costs the
 * shared two cores as little as possible and needs nothing beyond the build.
 *
 *   bench-server [--seconds N]
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

#include "zh-policy.h"
#include "zh-server-store.h"
#include "zh-store.h"

#define N_CLASSES_PER_GRADE 12
#define N_GRADES 11
#define N_CLASSES (N_CLASSES_PER_GRADE * N_GRADES)
#define N_STUDENTS_PER_CLASS 25
#define N_SUBJECTS 15
#define N_TEACHERS 100
#define N_WEEKS_PAST 34
#define N_WEEKS 36
#define MARKS_PER_LESSON 8
#define BATCH_SIZE 100
#define TIMEOUT_USEC (5 * G_USEC_PER_SEC)

/* Ids: a kind in the first group, a counter in the last. */
static void
make_id (char    *out,
         guint    kind,
         guint64  n)
{
  g_snprintf (out, 37, "%08x-0000-4000-8000-%012" G_GINT64_MODIFIER "x", kind, n);
}

enum { K_SCHOOL = 1, K_YEAR, K_PERIOD, K_STAFF, K_CLASS, K_STUDENT, K_ENROLL, K_SUBJECT, K_GROUP,
       K_MEMBER, K_LESSON, K_MARK, K_ATTENDANCE };

static const int subject_hours[N_SUBJECTS] = { 5, 4, 3, 2, 2, 2, 1, 1, 2, 2, 1, 1, 1, 2, 1 };

typedef struct
{
  char  id[37];
  char  teacher[37];
  char  token[32];
  int   grade;
  guint class_index;
} GroupInfo;

static GroupInfo groups[N_CLASSES * N_SUBJECTS];
static char periods[4][37];
static char today[11];

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

static void
step (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    g_error ("insert: %s", sqlite3_errmsg (sqlite3_db_handle (stmt)));
  sqlite3_reset (stmt);
}

static void
bind_texts (sqlite3_stmt *stmt,
            ...)
{
  va_list args;
  const char *text;
  int i = 1;

  va_start (args, stmt);
  while ((text = va_arg (args, const char *)) != NULL)
    sqlite3_bind_text (stmt, i++, text, -1, SQLITE_TRANSIENT);
  va_end (args);
}

static char *
format_date (const GDate *date)
{
  char out[11];

  g_date_strftime (out, sizeof out, "%Y-%m-%d", date);
  return g_strdup (out);
}

/* The synthetic school (zh-demo.h is not in this tree): every table a journal page reads, with
 * the sizes of the demo school at scale 3. */
static void
make_school (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = zh_store_open (path, ZH_STORE_FLAGS_BULK_LOAD, &error);
  g_autoptr(ZhPolicy) policy = zh_policy_new_default ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (2026);
  char school[37], year[37], id[37], id2[37], student[37];
  GDate now_date, start, end, date;
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;
  sqlite3_stmt *stmt, *mark, *attendance, *lesson;
  guint64 n_lessons = 0, n_marks = 0;
  gint64 t0 = g_get_monotonic_time ();

  if (store == NULL)
    g_error ("%s", error->message);
  zh_policy_local_date (policy, g_get_real_time () / G_USEC_PER_SEC, &now_date);
  {
    g_autofree char *t = format_date (&now_date);

    g_strlcpy (today, t, sizeof today);
  }
  /* The year began on the Monday N_WEEKS_PAST weeks ago and runs N_WEEKS weeks. */
  start = now_date;
  g_date_subtract_days (&start, g_date_get_weekday (&start) - 1 + 7 * N_WEEKS_PAST);
  end = start;
  g_date_add_days (&end, 7 * N_WEEKS - 3);
  start_text = format_date (&start);
  end_text = format_date (&end);

  if (!zh_store_lock (store, &error))
    g_error ("%s", error->message);
  make_id (school, K_SCHOOL, 1);
  make_id (year, K_YEAR, 1);
  stmt = prepare (store, "INSERT INTO school (id, name, full_name) VALUES (?1, 'Школа №3', 'МБОУ «Школа №3»')");
  bind_texts (stmt, school, NULL);
  step (stmt);
  stmt = prepare (store, "INSERT INTO academic_year (id, school_id, name, starts, ends) VALUES (?1, ?2, 'год', ?3, ?4)");
  bind_texts (stmt, year, school, start_text, end_text, NULL);
  step (stmt);
  stmt = prepare (store, "INSERT INTO period (id, year_id, kind, number, starts, ends, grade_from, grade_to) "
                         "VALUES (?1, ?2, 'quarter', ?3, ?4, ?5, 1, 11)");
  for (int q = 0; q < 4; q++)
    {
      GDate a = start, b = start;
      g_autofree char *a_text = NULL;
      g_autofree char *b_text = NULL;

      g_date_add_days (&a, q * 63);
      g_date_add_days (&b, q * 63 + 62);
      a_text = format_date (&a);
      b_text = format_date (q == 3 ? &end : &b);
      make_id (periods[q], K_PERIOD, q + 1);
      bind_texts (stmt, periods[q], year, NULL);
      sqlite3_bind_int (stmt, 3, q + 1);
      sqlite3_bind_text (stmt, 4, a_text, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, b_text, -1, SQLITE_TRANSIENT);
      step (stmt);
    }

  stmt = prepare (store, "INSERT INTO staff (id, school_id, last_name, first_name, roles, login) "
                         "VALUES (?1, ?2, 'Учитель', ?3, ?4, ?5)");
  for (int s = 0; s < N_TEACHERS + 3; s++)
    {
      static const char * const special[] = { "admin", "deputy", "classteacher" };
      g_autofree char *first = g_strdup_printf ("№%d", s);
      g_autofree char *login = g_strdup_printf ("t%d", s);
      int roles = s >= N_TEACHERS ? (s == N_TEACHERS ? 1 : s == N_TEACHERS + 1 ? 2 : 24) : 16;

      make_id (id, K_STAFF, s);
      bind_texts (stmt, id, school, first, NULL);
      sqlite3_bind_int (stmt, 4, roles);
      sqlite3_bind_text (stmt, 5, s == 0 ? "teacher" : s >= N_TEACHERS ? special[s - N_TEACHERS] : login,
                         -1, SQLITE_TRANSIENT);
      step (stmt);
    }

  stmt = prepare (store, "INSERT INTO subject (id, school_id, name, short_name) VALUES (?1, ?2, ?3, ?3)");
  for (int s = 0; s < N_SUBJECTS; s++)
    {
      g_autofree char *name = g_strdup_printf ("Предмет %d", s + 1);

      make_id (id, K_SUBJECT, s);
      bind_texts (stmt, id, school, name, NULL);
      step (stmt);
    }

  for (guint c = 0; c < N_CLASSES; c++)
    {
      int grade = c / N_CLASSES_PER_GRADE + 1;
      char letter[8];
      char class_id[37];

      letter[g_unichar_to_utf8 (0x0410 + c % N_CLASSES_PER_GRADE, letter)] = '\0';
      make_id (class_id, K_CLASS, c);
      make_id (id2, K_STAFF, c % N_TEACHERS);
      stmt = prepare (store, "INSERT INTO class (id, year_id, grade, letter, class_teacher_id) VALUES (?1, ?2, ?3, ?4, ?5)");
      bind_texts (stmt, class_id, year, NULL);
      sqlite3_bind_int (stmt, 3, grade);
      sqlite3_bind_text (stmt, 4, letter, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, id2, -1, SQLITE_TRANSIENT);
      step (stmt);

      for (int s = 0; s < N_STUDENTS_PER_CLASS; s++)
        {
          guint n = c * N_STUDENTS_PER_CLASS + s;
          g_autofree char *last = g_strdup_printf ("Ученик%04u", n);

          make_id (id, K_STUDENT, n);
          stmt = prepare (store, "INSERT INTO student (id, school_id, last_name, first_name, birth_date, gender) "
                                 "VALUES (?1, ?2, ?3, 'Имя', '2014-01-01', 'female')");
          bind_texts (stmt, id, school, last, NULL);
          step (stmt);
          make_id (id2, K_ENROLL, n);
          stmt = prepare (store, "INSERT INTO enrollment (id, student_id, class_id, date_from, reason) "
                                 "VALUES (?1, ?2, ?3, ?4, 'start')");
          bind_texts (stmt, id2, id, class_id, start_text, NULL);
          step (stmt);
        }

      for (int subject = 0; subject < N_SUBJECTS; subject++)
        {
          guint g = c * N_SUBJECTS + subject;
          GroupInfo *info = &groups[g];
          char subject_id[37];

          make_id (info->id, K_GROUP, g);
          make_id (info->teacher, K_STAFF, (c * 7 + subject) % N_TEACHERS);
          g_snprintf (info->token, sizeof info->token, "bench-%u", (c * 7 + subject) % N_TEACHERS);
          info->grade = grade;
          info->class_index = c;
          make_id (subject_id, K_SUBJECT, subject);
          stmt = prepare (store, "INSERT INTO study_group (id, class_id, subject_id, teacher_id) VALUES (?1, ?2, ?3, ?4)");
          bind_texts (stmt, info->id, class_id, subject_id, info->teacher, NULL);
          step (stmt);
          for (int s = 0; s < N_STUDENTS_PER_CLASS; s++)
            {
              make_id (id, K_MEMBER, (guint64) g * N_STUDENTS_PER_CLASS + s);
              make_id (id2, K_STUDENT, c * N_STUDENTS_PER_CLASS + s);
              stmt = prepare (store, "INSERT INTO group_member (id, group_id, student_id, date_from) VALUES (?1, ?2, ?3, ?4)");
              bind_texts (stmt, id, info->id, id2, start_text, NULL);
              step (stmt);
            }
        }
    }

  /* Lessons of every past week (today's included), with marks and an absence each. */
  lesson = prepare (store, "INSERT INTO lesson (id, group_id, date, number, topic, teacher_id, topic_entered_at, "
                           "entered_by) VALUES (?1, ?2, ?3, ?4, 'Тема урока', ?5, ?6, ?5)");
  mark = prepare (store, "INSERT INTO mark (id, lesson_id, student_id, value, work_type, weight, entered_by, "
                         "entered_at) VALUES (?1, ?2, ?3, ?4, 'answer', 1, ?5, ?6)");
  attendance = prepare (store, "INSERT INTO attendance (id, lesson_id, student_id, code, entered_by, entered_at) "
                               "VALUES (?1, ?2, ?3, 'absent', ?4, ?5)");
  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      int subject = g % N_SUBJECTS;

      for (int week = 0; week <= N_WEEKS_PAST; week++)
        for (int k = 0; k < subject_hours[subject]; k++)
          {
            g_autofree char *date_text = NULL;
            g_autoptr(GDateTime) noon = NULL;
            gint64 at;

            date = start;
            g_date_add_days (&date, week * 7 + (k + g) % 5);
            if (g_date_compare (&date, &now_date) > 0)
              continue;
            date_text = format_date (&date);
            noon = g_date_time_new_utc (g_date_get_year (&date), g_date_get_month (&date),
                                        g_date_get_day (&date), 9, 0, 0);
            at = g_date_time_to_unix (noon);
            make_id (id, K_LESSON, n_lessons++);
            bind_texts (lesson, id, groups[g].id, date_text, NULL);
            sqlite3_bind_int (lesson, 4, (subject + k) % 7 + 1);
            sqlite3_bind_text (lesson, 5, groups[g].teacher, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64 (lesson, 6, at);
            step (lesson);
            for (int m = 0; m < (groups[g].grade == 1 ? 0 : MARKS_PER_LESSON); m++)
              {
                char value[2] = { (char) ('2' + g_rand_int_range (rand, 0, 4)), '\0' };

                make_id (id2, K_MARK, n_marks++);
                make_id (student, K_STUDENT, groups[g].class_index * N_STUDENTS_PER_CLASS +
                                             g_rand_int_range (rand, 0, N_STUDENTS_PER_CLASS));
                bind_texts (mark, id2, id, student, value, groups[g].teacher, NULL);
                sqlite3_bind_int64 (mark, 6, at);
                step (mark);
              }
            make_id (id2, K_ATTENDANCE, n_lessons);
            make_id (student, K_STUDENT, groups[g].class_index * N_STUDENTS_PER_CLASS +
                                         g_rand_int_range (rand, 0, N_STUDENTS_PER_CLASS));
            bind_texts (attendance, id2, id, student, groups[g].teacher, NULL);
            sqlite3_bind_int64 (attendance, 5, at);
            step (attendance);
          }
    }
  if (!zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error))
    g_error ("%s", error->message);
  g_print ("school: %u classes, %u students, %u groups, %" G_GUINT64_FORMAT " lessons, %"
           G_GUINT64_FORMAT " marks (%.1f s)\n", N_CLASSES, N_CLASSES * N_STUDENTS_PER_CLASS,
           (guint) G_N_ELEMENTS (groups), n_lessons, n_marks, (g_get_monotonic_time () - t0) / 1e6);

  t0 = g_get_monotonic_time ();
  if (!zh_server_prepare_demo (store, &error))
    g_error ("%s", error->message);
  /* A session per staff member, so no request waits for Argon2id. */
  if (!zh_store_lock (store, &error))
    g_error ("%s", error->message);
  stmt = prepare (store, "INSERT INTO session (token_hash, staff_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)");
  for (int s = 0; s < N_TEACHERS; s++)
    {
      g_autofree char *token = g_strdup_printf ("bench-%d", s);
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);

      make_id (id, K_STAFF, s);
      bind_texts (stmt, hash, id, NULL);
      sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
      sqlite3_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC + 12 * 3600);
      step (stmt);
    }
  if (!zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error) || !zh_store_exec (store, "ANALYZE", &error))
    g_error ("%s", error->message);
  g_print ("revs, changes feed and sessions: %.1f s\n", (g_get_monotonic_time () - t0) / 1e6);
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
  LoadKind   kind;
  guint16    port;
  GRand     *rand;
  GArray    *latencies;   /* gint64 µs of the answers after the warm-up */
  guint64    answers;
  guint64    errors;
  guint64    timeouts;
  guint64    ops;
  gboolean   counting;
  char     **etags;       /* LOAD_NOT_MODIFIED: tag of each page */
  char     **lessons;     /* LOAD_BATCH: a lesson of this week of each group, or NULL */
  guint     *page_group;
  guint     *page_period;
  guint      n_pages;
} Load;

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
      guint g;
      char lesson[37];
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;
      g_autofree char *at = NULL;

      /* A group of grade 2 or more (grade 1 has no marks) with a lesson this week, asked from
       * the service before the run (lesson_this_week). */
      do
        g = g_rand_int_range (load->rand, 0, G_N_ELEMENTS (groups));
      while (load->lessons[g] == NULL);
      g_strlcpy (lesson, load->lessons[g], sizeof lesson);
      at = zh_time_to_iso8601 (now);
      g_string_append (body, "{\"operations\":[");
      for (int i = 0; i < BATCH_SIZE; i++)
        {
          g_autofree char *op_id = zh_uuid_new ();
          g_autofree char *mark_id = zh_uuid_new ();
          char student[37];

          make_id (student, K_STUDENT, groups[g].class_index * N_STUDENTS_PER_CLASS +
                                       g_rand_int_range (load->rand, 0, N_STUDENTS_PER_CLASS));
          g_string_append_printf (body, "%s{\"op_id\":\"%s\",\"entity\":\"mark\",\"action\":\"put\",\"id\":\"%s\","
                                  "\"base_rev\":0,\"value\":{\"id\":\"%s\",\"lesson_id\":\"%s\",\"student_id\":\"%s\","
                                  "\"value\":\"%d\",\"work_type\":\"answer\",\"weight\":1,\"entered_at\":\"%s\"}}",
                                  i > 0 ? "," : "", op_id, mark_id, mark_id, lesson, student,
                                  2 + g_rand_int_range (load->rand, 0, 4), at);
        }
      g_string_append (body, "]}");
      g_string_append_printf (conn->out, "POST /api/v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                              "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n", groups[g].token, body->len);
      g_string_append_len (conn->out, body->str, body->len);
    }
  else
    {
      guint page = g_rand_int_range (load->rand, 0, load->n_pages);
      guint g = load->page_group[page];

      conn->page = page;
      g_string_append_printf (conn->out, "GET /api/v1/journal?group=%s&period=%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Authorization: Bearer bench-0\r\n", groups[g].id, periods[load->page_period[page]]);
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
  g_print ("| %-28s | %5u | %10.0f | %8.2f | %8.2f | %6" G_GUINT64_FORMAT " | %8" G_GUINT64_FORMAT " | %-22s |\n",
           name, n_conns, load->ops / seconds, p50, p99, load->errors, load->timeouts, target);
  g_array_unref (l);
  load->latencies = NULL;
  load->answers = load->errors = load->timeouts = load->ops = 0;
}

/* One blocking GET; its status and, through @etag, its tag. */
static int
get_once (guint16     port,
          const char *path,
          char      **etag)
{
  int fd = connect_to (port);
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer bench-0\r\n"
                                              "Connection: close\r\n\r\n", path);
  char buffer[65536];
  ssize_t got;
  int status = 0;
  gsize length;
  const char *body;

  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  if (send (fd, request, strlen (request), MSG_NOSIGNAL) < 0)
    g_error ("send: %s", g_strerror (errno));
  while ((got = recv (fd, buffer, sizeof buffer, 0)) > 0)
    g_byte_array_append (in, (guint8 *) buffer, got);
  close (fd);
  if (parse_answer (in, &status, &length, &body) && etag != NULL)
    {
      g_autofree char *head = g_strndup ((const char *) in->data, body - (const char *) in->data);
      const char *e = strstr (head, "ETag: ");

      if (e != NULL)
        *etag = g_strndup (e + 6, strcspn (e + 6, "\r"));
    }
  return status;
}

/* The id of a lesson of group @g on a weekday of this week up to today, asked from the service. */
static char *
lesson_this_week (guint16 port,
                  guint   g)
{
  g_autofree char *path = NULL;
  int fd = connect_to (port);
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autofree char *request = NULL;
  char buffer[65536];
  ssize_t got;
  const char *id;

  /* Lessons within the edit window: from six days ago. */
  {
    GDate d;
    char from[11];

    g_date_set_parse (&d, today);
    g_date_subtract_days (&d, 6);
    g_date_strftime (from, sizeof from, "%Y-%m-%d", &d);
    g_free (path);
    path = g_strdup_printf ("/api/v1/lessons?group=%s&from=%s&to=%s&limit=1", groups[g].id, from, today);
  }
  request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer bench-0\r\n"
                             "Connection: close\r\n\r\n", path);
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  if (send (fd, request, strlen (request), MSG_NOSIGNAL) < 0)
    g_error ("send: %s", g_strerror (errno));
  while ((got = recv (fd, buffer, sizeof buffer, 0)) > 0)
    g_byte_array_append (in, (guint8 *) buffer, got);
  close (fd);
  g_byte_array_append (in, (guint8 *) "", 1);
  id = strstr ((const char *) in->data, "\"items\":[{\"id\":\"");
  return id != NULL ? g_strndup (id + 16, 36) : NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  double seconds = 8;
  guint16 port;
  Load load = { 0 };
  guint n_pages = G_N_ELEMENTS (groups) * 4;
  GOptionEntry entries[] = {
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds each measurement runs", "N" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);

  dir = g_dir_make_tmp ("zh-bench-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  path = g_build_filename (dir, "zhurnal.sqlite", NULL);
  make_school (path);

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, ZH_SERVER_PROGRAM, "--data", dir,
                             "--listen", "127.0.0.1:0", NULL);
  if (server == NULL)
    g_error ("%s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "Listening on http://127.0.0.1:"))
    g_error ("the service did not start: %s", line != NULL ? line : error->message);
  port = (guint16) atoi (strrchr (line, ':') + 1);
  g_print ("service on port %u; %.0f s per measurement after a 1 s warm-up; load average ", port, seconds);
  {
    g_autofree char *loadavg = NULL;

    g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL);
    g_print ("%s", loadavg != NULL ? loadavg : "?\n");
  }

  load.port = port;
  load.rand = g_rand_new_with_seed (7);
  load.n_pages = n_pages;
  load.page_group = g_new0 (guint, n_pages);
  load.page_period = g_new0 (guint, n_pages);
  for (guint p = 0; p < n_pages; p++)
    {
      load.page_group[p] = p / 4;
      load.page_period[p] = p % 4;
    }

  g_print ("\n| %-28s | %5s | %10s | %8s | %8s | %6s | %8s | %-22s |\n", "measurement", "conns", "per second",
           "p50 ms", "p99 ms", "errors", "timeouts", "target");
  g_print ("|------------------------------|-------|------------|----------|----------|--------|----------|------------------------|\n");

  /* Journal pages from the database: random groups and quarters among ~8,000 pages, far more
   * than the 512 bodies the service keeps, so nearly every answer is built from SQLite. */
  load.kind = LOAD_JOURNAL;
  run_load (&load, 50, seconds);
  report ("journal page, from database", &load, 50, seconds, ">= 3000/s, p99 < 50 ms");
  run_load (&load, 200, seconds);
  report ("journal page, from database", &load, 200, seconds, "no errors or timeouts");

  /* Unchanged pages: 256 pages whose tags the client holds. */
  load.kind = LOAD_NOT_MODIFIED;
  load.n_pages = 256;
  load.etags = g_new0 (char *, G_N_ELEMENTS (groups) + 1);
  for (guint p = 0; p < load.n_pages; p++)
    {
      g_autofree char *page_path = NULL;
      guint page = g_rand_int_range (load.rand, 0, n_pages);

      load.page_group[p] = page / 4;
      load.page_period[p] = page % 4;
      page_path = g_strdup_printf ("/api/v1/journal?group=%s&period=%s", groups[load.page_group[p]].id,
                                   periods[load.page_period[p]]);
      if (get_once (port, page_path, &load.etags[p]) != 200)
        g_error ("no page %s", page_path);
    }
  run_load (&load, 50, seconds);
  report ("journal page, 304 (ETag)", &load, 50, seconds, ">= 10000/s");
  run_load (&load, 200, seconds);
  report ("journal page, 304 (ETag)", &load, 200, seconds, "no errors or timeouts");
  for (guint p = 0; p < load.n_pages; p++)
    g_clear_pointer (&load.etags[p], g_free);

  /* Batches of 100 new marks by the group's teacher, in a lesson of this week. */
  load.kind = LOAD_BATCH;
  load.lessons = g_new0 (char *, G_N_ELEMENTS (groups));
  for (guint g = 0; g < G_N_ELEMENTS (groups); g += 3)
    if (groups[g].grade > 1)
      load.lessons[g] = lesson_this_week (port, g);
  run_load (&load, 50, seconds);
  report ("batch of 100 marks: ops", &load, 50, seconds, ">= 2000 ops/s");
  run_load (&load, 200, seconds);
  report ("batch of 100 marks: ops", &load, 200, seconds, "no errors or timeouts");

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
  return 0;
}
