/* test-crash: the client killed with SIGKILL at random instants — while it makes offline edits and
 * while it syncs — and restarted, again and again; at the end the service holds exactly the edits
 * the teacher made: none lost, none twice (issue 5; docs/sync.md "Crash safety"; REQUIREMENTS §9).
 *
 * The service is the real zhurnal-server over the test school; the client is zh-crash-client,
 * making the edits of the shared plan (zh-crash-plan.c). ZH_CRASH_KILLS (default 24) kills,
 * ZH_CRASH_EDITS (default 400) edits, ZH_CRASH_SEED (default 1) the random delays. */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "zh-crash-plan.h"
#include "zh-entity-sql.h"
#include "zh-server-store.h"
#include "zh-test-school.h"
#include "zh-test-utils.h"

typedef struct
{
  char        *dir;
  char        *client_dir;
  GSubprocess *server;
  char        *url;
  char        *db_path;
} Crash;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
crash_start_server (Crash *crash)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *program = zh_test_build_path ("src", "server", "zhurnal-server", NULL);
  g_autofree char *data = g_path_get_dirname (crash->db_path);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  char *line;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  crash->server = g_subprocess_launcher_spawn (launcher, &error, program, "--data", data,
                                               "--listen", "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (crash->server));
  while ((line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error)) != NULL &&
         !g_str_has_prefix (line, "Listening on "))
    g_free (line);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  crash->url = g_strdup (line + strlen ("Listening on "));
  g_free (line);
}

typedef struct
{
  int     status;     /* the wait status */
  char   *out;        /* what the client printed */
  gint64  micros;     /* how long it ran */
  gboolean killed;
} Run;

/* Run the client up to edit @upto; SIGKILL it after @kill_after_us unless it ends first (0: let
 * it end). */
static void
run_client (Crash  *crash,
            guint   upto,
            gint64  kill_after_us,
            Run    *run)
{
  g_autofree char *program = zh_test_build_path ("tests", "zh-crash-client", NULL);
  g_autofree char *upto_text = g_strdup_printf ("%u", upto);
  const char *argv[] = { program, crash->url, crash->client_dir, upto_text, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  GPid pid;
  int out_fd;
  gint64 started = g_get_monotonic_time ();
  char buffer[256];
  ssize_t n;

  memset (run, 0, sizeof *run);
  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                            &pid, NULL, &out_fd, NULL, &error);
  g_assert_no_error (error);
  for (;;)
    {
      pid_t done = waitpid (pid, &run->status, WNOHANG);

      g_assert_cmpint (done, >=, 0);
      if (done == pid)
        break;
      if (kill_after_us > 0 && g_get_monotonic_time () - started >= kill_after_us)
        {
          kill (pid, SIGKILL);
          g_assert_cmpint (waitpid (pid, &run->status, 0), ==, pid);
          break;
        }
      g_usleep (500);
    }
  run->micros = g_get_monotonic_time () - started;
  run->killed = WIFSIGNALED (run->status) && WTERMSIG (run->status) == SIGKILL;
  while ((n = read (out_fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (out, buffer, n);
  close (out_fd);
  g_spawn_close_pid (pid);
  run->out = g_string_free (g_steal_pointer (&out), FALSE);
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *text = g_getenv (name);

  return text != NULL && *text != '\0' ? (guint) g_ascii_strtoull (text, NULL, 10) : fallback;
}

static gint64
count (ZhStore    *store,
       const char *sql,
       const char *a,
       const char *b)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = zh_store_prepare (store, sql, &error);
  gint64 n;

  g_assert_no_error (error);
  if (a != NULL)
    sqlite3_bind_text (stmt, 1, a, -1, SQLITE_TRANSIENT);
  if (b != NULL)
    sqlite3_bind_text (stmt, 2, b, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return n;
}

/* The service holds exactly the plan's edits 0..@n-1: each mark once with its value, each absence
 * with its code and no other, each topic the last written. */
static void
check_service (Crash *crash,
               guint  n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = zh_store_open (crash->db_path, ZH_STORE_FLAGS_READ_ONLY, &error);
  char *topics[2][ZH_CRASH_DAYS] = { { NULL } };
  ZhCrashSchool school;
  guint marks = 0, absences = 0, lost = 0, twice = 0;
  gint64 attendance = 0;

  g_assert_no_error (error);
  g_assert_true (zh_crash_school_load (store, &school));
  for (guint k = 0; k < n; k++)
    {
      ZhCrashEdit e;
      const char *lesson;

      zh_crash_plan_edit (k, &e);
      lesson = school.lessons[e.klass][e.day];
      switch (e.kind)
        {
        case ZH_CRASH_MARK:
          {
            gint64 found = count (store, "SELECT count (*) FROM mark WHERE comment = ?1", e.tag, NULL);

            lost += found == 0;
            twice += found > 1;
            g_assert_cmpint (count (store, "SELECT count (*) FROM mark WHERE comment = ?1 AND value = ?2 "
                                           "AND lesson_id = (SELECT lesson_id FROM mark WHERE comment = ?1)",
                                    e.tag, e.text), ==, found);
            marks++;
          }
          break;
        case ZH_CRASH_ABSENCE:
          {
            g_autofree char *code = g_strdup (zh_enum_to_nick (ZH_TYPE_ATTENDANCE_CODE, e.code));
            gint64 found = count (store, "SELECT count (*) FROM attendance WHERE lesson_id = ?1 "
                                         "AND student_id = ?2", lesson,
                                  school.students[e.klass][e.student]);

            lost += found == 0;
            g_assert_cmpint (found, <=, 1);
            if (found == 1)
              {
                g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM attendance WHERE "
                                                        "lesson_id = ?1 AND student_id = ?2 AND "
                                                        "code = '%s'", code);

                g_assert_cmpint (count (store, sql, lesson, school.students[e.klass][e.student]), ==, 1);
              }
            absences++;
          }
          break;
        case ZH_CRASH_TOPIC:
          g_free (topics[e.klass][e.day]);
          topics[e.klass][e.day] = g_strdup (e.text);
          break;
        }
    }
  g_test_message ("service: %u marks and %u absences planned; lost %u, twice %u", marks, absences,
                  lost, twice);
  g_assert_cmpuint (lost, ==, 0);
  g_assert_cmpuint (twice, ==, 0);
  /* No mark the plan does not know of, and no absence beyond the test school's own ones (one per
   * lesson before today) and the plan's. */
  g_assert_cmpint (count (store, "SELECT count (*) FROM mark WHERE comment LIKE 'crash-%'", NULL, NULL),
                   ==, marks);
  for (guint c = 0; c < 2; c++)
    for (guint d = 0; d < ZH_CRASH_DAYS; d++)
      {
        attendance += count (store, "SELECT count (*) FROM attendance WHERE lesson_id = ?1",
                             school.lessons[c][d], NULL);
        if (topics[c][d] != NULL)
          {
            g_autoptr(ZhLesson) lesson = zh_store_get_entity (store, &zh_lesson_info,
                                                              school.lessons[c][d], &error);

            g_assert_no_error (error);
            g_assert_cmpstr (lesson->topic, ==, topics[c][d]);
          }
      }
  g_assert_cmpint (attendance, ==, 2 * (ZH_CRASH_DAYS - 1) + absences);
  zh_crash_school_clear (&school);
  for (guint c = 0; c < 2; c++)
    for (guint d = 0; d < ZH_CRASH_DAYS; d++)
      g_free (topics[c][d]);
}

/* Kill the client at random instants during its edits and its syncs; at the end the service holds
 * every edit once. */
static void
test_kills_lose_and_double_nothing (void)
{
  Crash crash = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (env_uint ("ZH_CRASH_SEED", 1));
  guint kills_wanted = env_uint ("ZH_CRASH_KILLS", 24);
  guint edits = env_uint ("ZH_CRASH_EDITS", 400);
  guint kills = 0, runs = 0, in_edit = 0, in_sync = 0, in_other = 0;
  gint64 typical = 0;
  ZhTestSchool school;
  Run run;

  crash.dir = zh_test_tmpdir_new ();
  crash.client_dir = g_build_filename (crash.dir, "client", NULL);
  g_assert_cmpint (g_mkdir (crash.client_dir, 0700), ==, 0);
  {
    g_autofree char *data = g_build_filename (crash.dir, "server", NULL);
    g_autoptr(ZhStore) store = NULL;

    g_assert_cmpint (g_mkdir (data, 0700), ==, 0);
    crash.db_path = g_build_filename (data, "zhurnal.sqlite", NULL);
    store = zh_store_open (crash.db_path, ZH_STORE_FLAGS_NONE, &error);
    g_assert_no_error (error);
    zh_test_school_fill (store, &school, 21);
    g_assert_true (zh_server_prepare_demo (store, &error));
    g_assert_no_error (error);
    zh_test_school_clear (&school);
  }
  crash_start_server (&crash);

  /* The first run signs in and copies the school; its length sets the scale of the delays. */
  run_client (&crash, 0, 0, &run);
  g_assert_true (WIFEXITED (run.status) && WEXITSTATUS (run.status) == 0);
  g_free (run.out);

  /* Until both phases have been struck, keep going (bounded by the runs limit below): on a loaded
   * machine random instants can all fall in one phase, and the test must not depend on luck. */
  while (kills < kills_wanted || in_edit == 0 || in_sync == 0)
    {
      /* The edits move on with the kills, so kills strike edits to the very end. */
      guint upto = MIN (edits, (guint) ((guint64) edits * (MIN (kills, kills_wanted - 1) + 1) / kills_wanted));
      double span = (double) MAX (typical, 50000) * 1.2;
      double low = 0, high = span;
      gint64 delay;

      /* Past half the kills with one phase never struck, aim at the part of a run where it is:
       * the edits come first, the sync last. */
      if (kills >= kills_wanted / 2 && in_sync == 0)
        low = span * 0.5;
      else if (kills >= kills_wanted / 2 && in_edit == 0)
        high = span * 0.5;
      delay = 1000 + (gint64) g_rand_double_range (rand, low, high);

      run_client (&crash, upto, delay, &run);
      runs++;
      g_assert_cmpuint (runs, <, 20 * kills_wanted + 20);
      if (run.killed)
        {
          const char *last = strrchr (g_strchomp (run.out), '\n');

          last = last != NULL ? last + 1 : run.out;
          kills++;
          if (g_str_equal (last, "edit"))
            in_edit++;
          else if (g_str_equal (last, "sync"))
            in_sync++;
          else
            in_other++;
        }
      else
        {
          if (!WIFEXITED (run.status) || WEXITSTATUS (run.status) != 0)
            g_error ("the client failed (status %d): %s", run.status, run.out);
          typical = MAX (typical, run.micros);
        }
      g_free (run.out);
    }

  /* The last run makes what is left and syncs to the end. */
  run_client (&crash, edits, 0, &run);
  if (!WIFEXITED (run.status) || WEXITSTATUS (run.status) != 0)
    g_error ("the last run failed (status %d): %s", run.status, run.out);
  g_free (run.out);

  g_test_message ("%u kills in %u runs: %u while editing, %u while syncing, %u starting; %u edits",
                  kills, runs, in_edit, in_sync, in_other, edits);
  g_assert_cmpuint (kills, >=, kills_wanted);
  /* Both phases were struck. */
  g_assert_cmpuint (in_edit, >=, 1);
  g_assert_cmpuint (in_sync, >=, 1);
  check_service (&crash, edits);

  g_subprocess_send_signal (crash.server, SIGTERM);
  g_subprocess_wait (crash.server, NULL, NULL);
  g_clear_object (&crash.server);
  g_free (crash.url);
  g_free (crash.db_path);
  g_free (crash.client_dir);
  zh_test_tmpdir_free (crash.dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/crash/sigkill/nothing-lost-nothing-twice", test_kills_lose_and_double_nothing);
  return g_test_run ();
}
