/* bench-sync: the client's sync on the demo school at scale 3 (issue 5) — the first full sync of
 * a deputy's copy over loopback (rows/s, seconds, the client's peak memory) and the push of 1,000
 * queued edits of a teacher. The service is the real zhurnal-server in its own process, so the
 * peak memory (VmHWM) read here is the client's alone.
 *
 * The demo school is generated once into a cache folder (--cache, default
 * /tmp/zhurnal-bench-sync-scale3) and copied for each run, since the run writes to it. --scale
 * picks another size (a small one to profile quickly). */
#define G_LOG_DOMAIN "bench-sync"

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "zh-offline.h"
#include "zh-store.h"
#include "zh-sync.h"

#define TARGET_ROWS_PER_S 150000.0
#define TARGET_PUSH_S     1.0
#define TARGET_PEAK_MB    150.0

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* A field of /proc/self/status in kB. */
static double
status_kb (const char *field)
{
  g_autofree char *text = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL) ||
      (at = strstr (text, field)) == NULL)
    return 0;
  return g_ascii_strtod (at + strlen (field) + 1, NULL);
}

static void
die_with_parent (gpointer data)
{
  /* The bench may stop with g_error: the service must not outlive it. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
start_server (const char  *dir,
              const char  *demo_scale,
              char       **url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  GSubprocess *server;
  char *line;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  if (demo_scale != NULL)
    server = g_subprocess_launcher_spawn (launcher, &error, ZH_SERVER_PROGRAM, "--data", dir,
                                          "--listen", "127.0.0.1:0", "--demo", "--demo-scale",
                                          demo_scale, NULL);
  else
    server = g_subprocess_launcher_spawn (launcher, &error, ZH_SERVER_PROGRAM, "--data", dir,
                                          "--listen", "127.0.0.1:0", NULL);
  if (server == NULL)
    g_error ("%s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  while ((line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error)) != NULL &&
         !g_str_has_prefix (line, "Listening on "))
    g_free (line);
  if (line == NULL)
    g_error ("the service did not start: %s", error != NULL ? error->message : "no Listening line");
  *url = g_strdup (line + strlen ("Listening on "));
  g_free (line);
  return server;
}

static void
stop_server (GSubprocess *server)
{
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
}

static ZhStaff *
sign_in (ZhClient   *client,
         const char *login)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ZhStaff *staff;

  zh_client_login_async (client, login, "demo", NULL, got_result_cb, &result);
  staff = zh_client_login_finish (client, wait_result (&result), NULL, &error);
  if (staff == NULL)
    g_error ("sign-in as %s: %s", login, error->message);
  return staff;
}

static void
run_sync (ZhSync *sync)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  zh_sync_run_async (sync, NULL, got_result_cb, &result);
  if (!zh_sync_run_finish (sync, wait_result (&result), &error))
    g_error ("sync: %s", error->message);
}

typedef struct
{
  gint64  started;
  gint64  shown;
  guint64 rows;
} Progress;

static void
progress_cb (ZhSync   *sync,
             guint64   rows,
             gint64    cursor,
             Progress *p)
{
  gint64 now = g_get_monotonic_time ();

  p->rows = rows;
  if (now - p->shown < 250000)
    return;
  p->shown = now;
  fprintf (stderr, "\r  first sync: %" G_GUINT64_FORMAT " rows, %.0f rows/s, %.0f MB   ", rows,
           rows / ((now - p->started) / 1e6), status_kb ("VmRSS:") / 1024);
  fflush (stderr);
}

static gint64 push_done;

static void
waiting_cb (GObject    *object,
            GParamSpec *pspec,
            gpointer    data)
{
  if (zh_sync_get_n_waiting (ZH_SYNC (object)) == 0 && push_done == 0)
    push_done = g_get_monotonic_time ();
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GFile) a = g_file_new_for_path (from);
  g_autoptr(GFile) b = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  if (!g_file_copy (a, b, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
    g_error ("copy %s: %s", from, error->message);
}

/* The latest lessons of the teacher's own groups up to today, with their students. */
static GPtrArray *
teacher_slots (ZhStore    *store,
               const char *staff_id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *slots = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = zh_store_prepare (store,
    "SELECT l.id, m.student_id FROM lesson l "
    "JOIN study_group g ON g.id = l.group_id "
    "JOIN class c ON c.id = g.class_id "
    "JOIN group_member m ON m.group_id = g.id AND m.date_from <= l.date "
    "  AND (m.date_to IS NULL OR m.date_to >= l.date) "
    "WHERE g.teacher_id = ?1 AND c.grade > 1 AND l.date <= ?2 "
    "ORDER BY l.date DESC, l.number, m.student_id LIMIT 400", &error);
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Moscow");
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

  if (stmt == NULL)
    g_error ("%s", error->message);
  sqlite3_bind_text (stmt, 1, staff_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, today, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_ptr_array_add (slots, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      g_ptr_array_add (slots, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
    }
  sqlite3_reset (stmt);
  return slots;
}

static void
row (const char *what,
     const char *value,
     const char *target,
     gboolean    met)
{
  printf ("| %-40s | %14s | %-12s | %-4s |\n", what, value, target, met ? "yes" : "NO");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *scale = g_strdup ("3");
  g_autofree char *cache_db = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(ZhClient) client = NULL;
  g_autoptr(ZhOffline) offline = NULL;
  g_autoptr(ZhSync) sync = NULL;
  g_autoptr(ZhStaff) deputy = NULL;
  g_autoptr(ZhStaff) teacher = NULL;
  g_autoptr(GPtrArray) slots = NULL;
  g_autofree char *copy_path = NULL;
  g_autofree char *teacher_path = NULL;
  guint page_size = ZH_SYNC_PAGE_SIZE;
  guint edits = 1000;
  gboolean keep = FALSE;
  GOptionEntry entries[] = {
    { "cache", 0, 0, G_OPTION_ARG_FILENAME, &cache,
      "Folder of the generated demo school (default /tmp/zhurnal-bench-sync-scaleS)", "DIR" },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale, "Scale of the demo school (default 3)", "S" },
    { "page-size", 0, 0, G_OPTION_ARG_INT, &page_size, "Changes per page of the feed", "N" },
    { "edits", 0, 0, G_OPTION_ARG_INT, &edits, "Queued edits to push", "N" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the copies and the service's database", NULL },
    { NULL }
  };
  Progress progress = { 0 };
  double pull_s, rows_per_s, peak_mb, push_s, push_sync_s;
  gint64 started;
  char text[64];

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  /* The school, made once. */
  if (cache == NULL)
    cache = g_strdup_printf ("/tmp/zhurnal-bench-sync-scale%s", scale);
  cache_db = g_build_filename (cache, "zhurnal.sqlite", NULL);
  if (!g_file_test (cache_db, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, "generating the demo school at scale %s into %s (once)…\n", scale, cache);
      g_mkdir_with_parents (cache, 0700);
      server = start_server (cache, scale, &url);
      stop_server (server);
      g_clear_object (&server);
      g_clear_pointer (&url, g_free);
    }
  dir = g_dir_make_tmp ("zh-bench-sync-XXXXXX", &error);
  db = g_build_filename (dir, "zhurnal.sqlite", NULL);
  copy_file (cache_db, db);
  server = start_server (dir, NULL, &url);

  /* 1. The deputy's first full sync. */
  client = zh_client_new (url, &error);
  deputy = sign_in (client, "deputy");
  copy_path = g_build_filename (dir, "deputy.sqlite", NULL);
  offline = zh_offline_open_path (copy_path, &error);
  if (offline == NULL || !zh_offline_set_account (offline, url, deputy, &error))
    g_error ("%s", error->message);
  sync = zh_sync_new (offline, client);
  zh_sync_set_page_size (sync, page_size);
  g_signal_connect (sync, "progress", G_CALLBACK (progress_cb), &progress);
  progress.started = started = g_get_monotonic_time ();
  run_sync (sync);
  pull_s = (g_get_monotonic_time () - started) / 1e6;
  fprintf (stderr, "\r\033[K");
  rows_per_s = progress.rows / pull_s;
  peak_mb = status_kb ("VmHWM:") / 1024;
  {
    /* The copy is copied as a file below: wait for the sync's last checkpoint (in a worker, after
     * the sync has finished) and its connections to close, so the file holds every page. */
    gpointer gone = sync;

    g_object_add_weak_pointer (G_OBJECT (sync), &gone);
    g_clear_object (&sync);
    while (gone != NULL)
      g_main_context_iteration (NULL, TRUE);
  }
  g_clear_object (&offline);

  /* 2. A teacher's 1,000 edits queued offline, then pushed. The teacher's copy starts as the
   * deputy's (the feed sends the whole school to both), signed in as the teacher. */
  teacher_path = g_build_filename (dir, "teacher.sqlite", NULL);
  copy_file (copy_path, teacher_path);
  g_clear_object (&client);
  client = zh_client_new (url, &error);
  teacher = sign_in (client, "teacher");
  offline = zh_offline_open_path (teacher_path, &error);
  if (offline == NULL || !zh_offline_set_account (offline, url, teacher, &error))
    g_error ("%s", error->message);
  slots = teacher_slots (zh_offline_get_store (offline), teacher->id);
  if (slots->len == 0)
    g_error ("the teacher has no lessons today");
  for (guint i = 0; i < edits; i++)
    {
      guint s = (i * 2) % slots->len;

      if (!zh_offline_add_mark (offline, slots->pdata[s], slots->pdata[s + 1], i % 2 ? "5" : "4", "answer",
                                NULL, g_get_real_time () / G_USEC_PER_SEC, NULL, &error))
        g_error ("edit %u: %s", i, error->message);
    }
  sync = zh_sync_new (offline, client);
  g_signal_connect (sync, "notify::n-waiting", G_CALLBACK (waiting_cb), NULL);
  started = g_get_monotonic_time ();
  run_sync (sync);
  push_sync_s = (g_get_monotonic_time () - started) / 1e6;
  push_s = push_done > 0 ? (push_done - started) / 1e6 : push_sync_s;
  if (zh_offline_count (offline, ZH_OUTBOX_PENDING) != 0 || zh_offline_count (offline, ZH_OUTBOX_REJECTED) != 0)
    g_error ("the push left changes waiting or refused");

  printf ("\nbench-sync: demo school at scale %s, zhurnal-server on 127.0.0.1, page size %u\n\n", scale,
          page_size);
  printf ("| %-40s | %14s | %-12s | %-4s |\n", "measurement", "value", "target", "met");
  printf ("|------------------------------------------|----------------|--------------|------|\n");
  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, progress.rows);
  row ("first sync: rows (deputy, whole school)", text, "", TRUE);
  g_snprintf (text, sizeof text, "%.1f s", pull_s);
  row ("first sync: time", text, "< 60 s", pull_s < 60);
  g_snprintf (text, sizeof text, "%.0f", rows_per_s);
  row ("first sync: rows/s", text, ">= 150000", rows_per_s >= TARGET_ROWS_PER_S);
  g_snprintf (text, sizeof text, "%.0f MB", peak_mb);
  row ("first sync: client peak memory (VmHWM)", text, "<= 150 MB", peak_mb <= TARGET_PEAK_MB);
  g_snprintf (text, sizeof text, "%.2f s", push_s);
  g_autofree char *what = g_strdup_printf ("push of %u queued edits", edits);
  row (what, text, "<= 1 s", push_s <= TARGET_PUSH_S);
  g_snprintf (text, sizeof text, "%.2f s", push_sync_s);
  row ("  the whole sync, with the pull after it", text, "", TRUE);

  g_clear_object (&sync);
  g_clear_object (&offline);
  g_clear_object (&client);
  stop_server (server);
  if (keep)
    fprintf (stderr, "kept in %s\n", dir);
  else
  {
    const char *names[] = { "zhurnal.sqlite", "zhurnal.sqlite-wal", "zhurnal.sqlite-shm",
                            "deputy.sqlite", "deputy.sqlite-wal", "deputy.sqlite-shm",
                            "teacher.sqlite", "teacher.sqlite-wal", "teacher.sqlite-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *path = g_build_filename (dir, names[i], NULL);

        g_unlink (path);
      }
    g_rmdir (dir);
  }
  return 0;
}
