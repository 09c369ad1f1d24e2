/* test-faults: a sync of many operations through the project's fault-injecting proxy
 * (zh-fault-proxy.c) between the client and the real service: connections dropped before the
 * request and in the middle of the answer, 503 and 500 pages, bodies cut short, delays. The sync
 * is run again after each failure, as the app's schedule would; it must converge with every edit
 * on the service exactly once (issue 5; docs/api.md "At most once"; REQUIREMENTS §9).
 *
 * ZH_FAULT_OPS operations (default 10,000; 2,000 in a sanitizer build, which runs about four times
 * slower), ZH_FAULT_SEED (default 1) the schedule of faults. */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "zh-crash-plan.h"
#include "zh-entity-sql.h"
#include "zh-fault-proxy.h"
#include "zh-offline-private.h"
#include "zh-server.h"
#include "zh-server-store.h"
#include "zh-sync.h"
#include "zh-test-school.h"
#include "zh-test-utils.h"

#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_OPS 2000
#else
#define DEFAULT_OPS 10000
#endif

/* A share of requests answered with a fault. */
#define FAULT_RATE 0.3

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

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *text = g_getenv (name);

  return text != NULL && *text != '\0' ? (guint) g_ascii_strtoull (text, NULL, 10) : fallback;
}

static gint64
count (ZhStore    *store,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = zh_store_prepare (store, sql, &error);
  gint64 n;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

/* Every row of every entity table, as text. */
static char *
dump_entities (ZhStore *store)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; zh_entities[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s ORDER BY id", zh_entities[i]->table);
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (zh_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_string_append_printf (out, "[%s]\n", zh_entities[i]->table);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            g_string_append_printf (out, "%s|", (const char *) sqlite3_column_text (stmt, c));
          g_string_append_c (out, '\n');
        }
      sqlite3_finalize (stmt);
    }
  return g_string_free (out, FALSE);
}

/* Run syncs until one completes with nothing waiting; the number of runs. */
static guint
sync_until_converged (ZhSync *sync)
{
  guint runs = 0;

  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      zh_sync_run_async (sync, NULL, got_result_cb, &result);
      ok = zh_sync_run_finish (sync, wait_result (&result), &error);
      runs++;
      if (ok && zh_sync_get_n_waiting (sync) == 0)
        return runs;
      /* Faults come as "offline" (network, server) errors; nothing else is expected. */
      if (error != NULL && !g_error_matches (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_NETWORK) &&
          !g_error_matches (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_SERVER))
        g_error ("the sync failed otherwise: %s", error->message);
      g_assert_cmpuint (runs, <, 5000);
    }
}

static void
test_faults_converge (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = zh_test_tmpdir_new ();
  g_autofree char *data_dir = g_build_filename (dir, "server", NULL);
  g_autofree char *db_path = g_build_filename (data_dir, "zhurnal.sqlite", NULL);
  g_autofree char *copy_path = g_build_filename (dir, "offline.sqlite", NULL);
  g_autofree char *url = NULL;
  g_autoptr(ZhServer) server = NULL;
  g_autoptr(ZhClient) client = NULL;
  g_autoptr(ZhOffline) offline = NULL;
  g_autoptr(ZhSync) sync = NULL;
  g_autoptr(ZhStaff) staff = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *copied = NULL;
  ZhFaultProxy *proxy;
  ZhTestSchool school;
  ZhCrashSchool plan_school;
  guint ops = env_uint ("ZH_FAULT_OPS", DEFAULT_OPS);
  guint marks = 0, absences = 0, topics = 0, runs, faults = 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 started, absences_before;
  ZhStore *service;

  g_assert_cmpint (g_mkdir (data_dir, 0700), ==, 0);
  {
    g_autoptr(ZhStore) store = zh_store_open (db_path, ZH_STORE_FLAGS_NONE, &error);

    g_assert_no_error (error);
    zh_test_school_fill (store, &school, 21);
    g_assert_true (zh_server_prepare_demo (store, &error));
    g_assert_no_error (error);
  }
  server = zh_server_new (data_dir, &error);
  g_assert_no_error (error);
  g_assert_true (zh_server_listen (server, "127.0.0.1", 0, &error));
  proxy = zh_fault_proxy_new (zh_server_get_port (server), env_uint ("ZH_FAULT_SEED", 1), FAULT_RATE,
                              &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u", zh_fault_proxy_get_port (proxy));
  client = zh_client_new (url, &error);

  /* Signing in goes through the proxy too: try until a sign-in gets through. */
  for (guint i = 0; staff == NULL; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) login_error = NULL;

      g_assert_cmpuint (i, <, 100);
      zh_client_login_async (client, "teacher", "demo", NULL, got_result_cb, &result);
      staff = zh_client_login_finish (client, wait_result (&result), NULL, &login_error);
    }
  offline = zh_offline_open_path (copy_path, &error);
  g_assert_no_error (error);
  g_assert_true (zh_offline_set_account (offline, url, staff, &error));
  sync = zh_sync_new (offline, client);
  /* Smaller batches and pages than the app's: about 200 batches whatever the number of
   * operations, so every kind of fault strikes. */
  zh_sync_set_batch_size (sync, CLAMP (ops / 200, 10, 500));
  zh_sync_set_page_size (sync, 1000);
  sync_until_converged (sync);
  g_assert_true (zh_crash_school_load (zh_offline_get_store (offline), &plan_school));
  absences_before = count (zh_server_get_store (server), "SELECT count (*) FROM attendance");

  /* The edits, made offline in one go: absences for every free pair, a topic for every lesson,
   * marks for the rest. One outer transaction only spares 10,000 disk flushes; each edit is still
   * its own savepoint through the same code. */
  g_assert_true (zh_store_lock (zh_offline_get_store (offline), &error));
  for (guint c = 0; c < 2; c++)
    for (guint d = 0; d < ZH_CRASH_DAYS; d++)
      {
        g_autofree char *topic = g_strdup_printf ("Тема %u-%u", c, d);

        g_assert_true (zh_offline_set_topic (offline, plan_school.lessons[c][d], topic,
                                             zh_crash_plan_time (d, now), &error));
        g_assert_no_error (error);
        topics++;
        for (guint s = 0; s < ZH_CRASH_STUDENTS; s++)
          if (c == 0 && s != d % ZH_CRASH_STUDENTS)
            {
              g_assert_true (zh_offline_set_absence (offline, plan_school.lessons[c][d],
                                                     plan_school.students[c][s], ZH_ATTENDANCE_ABSENT,
                                                     zh_crash_plan_time (d, now), &error));
              absences++;
            }
      }
  while (topics + absences + marks < ops)
    {
      guint d = marks % ZH_CRASH_DAYS;
      g_autofree char *tag = g_strdup_printf ("fault-%05u", marks);
      g_autofree char *value = g_strdup_printf ("%u", 2 + marks % 4);

      zh_offline_add_mark (offline, plan_school.lessons[0][d],
                           plan_school.students[0][(marks / ZH_CRASH_DAYS) % ZH_CRASH_STUDENTS],
                           value, "answer", tag, zh_crash_plan_time (d, now) + marks % 60, NULL, &error);
      g_assert_no_error (error);
      marks++;
    }
  g_assert_true (zh_store_unlock (zh_offline_get_store (offline), ZH_STORE_UNLOCK_COMMIT, &error));
  g_assert_cmpuint (zh_offline_count (offline, ZH_OUTBOX_PENDING), ==, ops);

  started = g_get_monotonic_time ();
  runs = sync_until_converged (sync);
  g_test_message ("%u operations synced through the faults in %.1f s, %u sync runs", ops,
                  (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC, runs);
  for (ZhFault f = ZH_FAULT_DELAY; f < ZH_FAULT_N_KINDS; f++)
    {
      g_test_message ("fault %d: %u requests", f, zh_fault_proxy_get_count (proxy, f));
      faults += zh_fault_proxy_get_count (proxy, f);
    }
  g_test_message ("requests answered well: %u, with a fault: %u",
                  zh_fault_proxy_get_count (proxy, ZH_FAULT_NONE), faults);
  /* Every kind of fault struck at least once. */
  for (ZhFault f = ZH_FAULT_DELAY; f < ZH_FAULT_N_KINDS; f++)
    g_assert_cmpuint (zh_fault_proxy_get_count (proxy, f), >, 0);

  /* Converged: nothing waits, refused or conflicts; the service has each edit once. */
  g_assert_cmpuint (zh_offline_count (offline, ZH_OUTBOX_PENDING), ==, 0);
  g_assert_cmpuint (zh_offline_count (offline, ZH_OUTBOX_REJECTED), ==, 0);
  g_assert_cmpuint (zh_offline_count (offline, ZH_OUTBOX_CONFLICT), ==, 0);
  service = zh_server_get_store (server);
  g_assert_cmpint (count (service, "SELECT count (*) FROM mark WHERE comment LIKE 'fault-%'"), ==, marks);
  g_assert_cmpint (count (service, "SELECT count (DISTINCT comment) FROM mark WHERE comment LIKE 'fault-%'"),
                   ==, marks);
  g_assert_cmpint (count (service, "SELECT count (*) FROM lesson WHERE topic LIKE 'Тема %'"), ==, topics);
  /* The test school's own absences and the new ones, no more. */
  g_assert_cmpint (count (service, "SELECT count (*) FROM attendance"), ==, absences_before + absences);

  /* The copy, pulled through the faults as well, equals the service. */
  zh_fault_proxy_set_rate (proxy, 0);
  sync_until_converged (sync);
  expected = dump_entities (service);
  copied = dump_entities (zh_offline_get_store (offline));
  g_assert_true (g_str_equal (copied, expected));
  g_assert_cmpint (zh_offline_get_cursor (offline), ==, zh_server_store_get_last_rev (service));

  zh_crash_school_clear (&plan_school);
  zh_test_school_clear (&school);
  g_clear_object (&sync);
  g_clear_object (&offline);
  g_clear_object (&client);
  zh_fault_proxy_free (proxy);
  zh_server_shutdown (server);
  g_clear_object (&server);
  zh_test_tmpdir_free (g_steal_pointer (&dir));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/faults/proxy/sync-converges-once", test_faults_converge);
  return g_test_run ();
}
