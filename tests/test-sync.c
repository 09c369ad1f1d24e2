/* test-sync: the client's sync against the real reference service, run in-process on 127.0.0.1
 * with port 0 (STYLE.md "Tests"): the first full copy, a pull cut off and resumed, tombstones,
 * the service going away and coming back (REQUIREMENTS §9, 001 §6.4; DESIGN.md §4). */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "zh-entity-sql.h"
#include "zh-offline-private.h"
#include "zh-server.h"
#include "zh-server-store.h"
#include "zh-sync.h"
#include "zh-test-school.h"
#include "zh-test-utils.h"

/* One school made (and its passwords hashed) once for the whole run; each test copies it. */
static char         *template_dir;
static ZhTestSchool  school;

typedef struct
{
  char      *dir;
  char      *data_dir;
  ZhServer  *server;
  guint16    port;
  char      *url;
  ZhClient  *client;
  ZhOffline *offline;
  ZhSync    *sync;
} SyncFixture;

static gboolean
too_long_cb (gpointer data)
{
  g_error ("the test waited more than 60 seconds");
  return G_SOURCE_REMOVE;
}

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
  guint guard = g_timeout_add_seconds (60, too_long_cb, NULL);

  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
  return *slot;
}

static void
server_start (SyncFixture *fixture,
              guint16      port)
{
  g_autoptr(GError) error = NULL;

  fixture->server = zh_server_new (fixture->data_dir, &error);
  g_assert_no_error (error);
  g_assert_true (zh_server_listen (fixture->server, "127.0.0.1", port, &error));
  g_assert_no_error (error);
  fixture->port = zh_server_get_port (fixture->server);
}

static void
server_stop (SyncFixture *fixture)
{
  zh_server_shutdown (fixture->server);
  g_clear_object (&fixture->server);
}

static void
sync_setup (SyncFixture   *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) from = NULL;
  g_autoptr(GFile) to = NULL;
  g_autofree char *from_path = g_build_filename (template_dir, "zhurnal.sqlite", NULL);
  g_autofree char *to_path = NULL;

  fixture->dir = zh_test_tmpdir_new ();
  fixture->data_dir = g_build_filename (fixture->dir, "server", NULL);
  g_assert_cmpint (g_mkdir (fixture->data_dir, 0700), ==, 0);
  to_path = g_build_filename (fixture->data_dir, "zhurnal.sqlite", NULL);
  from = g_file_new_for_path (from_path);
  to = g_file_new_for_path (to_path);
  g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  server_start (fixture, 0);
  fixture->url = g_strdup_printf ("http://127.0.0.1:%u", fixture->port);
  fixture->client = zh_client_new (fixture->url, &error);
  g_assert_no_error (error);
}

static void
sync_teardown (SyncFixture   *fixture,
               gconstpointer  data)
{
  if (fixture->sync != NULL)
    zh_sync_stop (fixture->sync);
  g_clear_object (&fixture->sync);
  g_clear_object (&fixture->offline);
  g_clear_object (&fixture->client);
  if (fixture->server != NULL)
    server_stop (fixture);
  g_free (fixture->url);
  g_free (fixture->data_dir);
  zh_test_tmpdir_free (fixture->dir);
}

/* Sign in as @login (password "demo") and open that account's copy. */
static void
sign_in (SyncFixture *fixture,
         const char  *login)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ZhStaff) staff = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "offline.sqlite", NULL);
  gint64 expires = 0;

  zh_client_login_async (fixture->client, login, "demo", NULL, got_result_cb, &result);
  staff = zh_client_login_finish (fixture->client, wait_result (&result), &expires, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (staff->login, ==, login);
  g_assert_cmpint (expires, >, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_nonnull (zh_client_get_token (fixture->client));

  fixture->offline = zh_offline_open_path (path, &error);
  g_assert_no_error (error);
  g_assert_true (zh_offline_set_account (fixture->offline, fixture->url, staff, &error));
  g_assert_no_error (error);
  fixture->sync = zh_sync_new (fixture->offline, fixture->client);
}

static gboolean
run_sync (SyncFixture  *fixture,
          GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  zh_sync_run_async (fixture->sync, NULL, got_result_cb, &result);
  return zh_sync_run_finish (fixture->sync, wait_result (&result), error);
}

/* Every row of every entity table, as text (the service's own tables left out). */
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

static void
assert_copy_equals_service (SyncFixture *fixture)
{
  ZhStore *service = zh_server_get_store (fixture->server);
  g_autofree char *expected = dump_entities (service);
  g_autofree char *copy = dump_entities (zh_offline_get_store (fixture->offline));

  g_assert_cmpstr (copy, ==, expected);
  g_assert_cmpint (zh_offline_get_cursor (fixture->offline), ==, zh_server_store_get_last_rev (service));
}

typedef struct
{
  guint   pages;
  guint64 rows;
  gint64  cursor;
  guint   cancel_after;
  ZhSync *sync;
} Progress;

static void
progress_cb (ZhSync   *sync,
             guint64   rows,
             gint64    cursor,
             Progress *progress)
{
  /* The cursor only moves forward, page by page. */
  g_assert_cmpint (cursor, >, progress->cursor);
  progress->cursor = cursor;
  progress->rows = rows;
  if (++progress->pages == progress->cancel_after)
    zh_sync_cancel (sync);
}

/* ---- pulling -------------------------------------------------------------------------------- */

/* A deputy's first sync copies the whole school, every row equal to the service's. */
static void
test_first_full_sync (SyncFixture   *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };

  sign_in (fixture, "deputy");
  zh_sync_set_page_size (fixture->sync, 97);
  g_signal_connect (fixture->sync, "progress", G_CALLBACK (progress_cb), &progress);
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);

  assert_copy_equals_service (fixture);
  g_assert_cmpuint (progress.rows, ==, school.n_rows);
  g_assert_cmpuint (progress.pages, ==, (school.n_rows + 96) / 97);
  g_assert_true (zh_sync_get_online (fixture->sync));
  g_assert_cmpint (zh_sync_get_offline_since (fixture->sync), ==, 0);
  g_assert_cmpint (zh_sync_get_last_sync (fixture->sync), >, 0);
  g_assert_null (zh_sync_get_last_error (fixture->sync));

  /* Nothing new: the next sync applies nothing and keeps the cursor. */
  progress.pages = 0;
  g_assert_true (run_sync (fixture, &error));
  assert_copy_equals_service (fixture);
}

/* A pull cut off after a page resumes from the stored cursor: the same copy, no row twice, the
 * cursor never going back (docs/api.md "Cursor"). */
static void
test_interrupted_pull_resumes (SyncFixture   *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };
  gint64 stopped_at;

  sign_in (fixture, "deputy");
  zh_sync_set_page_size (fixture->sync, 7);
  progress.cancel_after = 3;
  g_signal_connect (fixture->sync, "progress", G_CALLBACK (progress_cb), &progress);

  g_assert_false (run_sync (fixture, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  stopped_at = zh_offline_get_cursor (fixture->offline);
  g_assert_cmpint (stopped_at, >=, progress.cursor);
  g_assert_cmpint (stopped_at, <, zh_server_store_get_last_rev (zh_server_get_store (fixture->server)));
  g_assert_cmpuint (progress.pages, ==, 3);

  progress.cancel_after = 0;
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  assert_copy_equals_service (fixture);
}

/* Changes made on the service after the first sync arrive: a changed row in its new form, a
 * deleted row as a tombstone that deletes the copy's row. */
static void
test_changes_and_tombstones (SyncFixture   *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ZhStore *service = zh_server_get_store (fixture->server);
  g_autofree char *absence_id = NULL;
  g_autoptr(ZhLesson) lesson = NULL;
  sqlite3_stmt *stmt;
  gint64 rev = 0;

  sign_in (fixture, "teacher");
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);

  /* The service changes a lesson and deletes an absence, as its writer would. */
  stmt = zh_store_prepare (service, "SELECT id FROM attendance ORDER BY id LIMIT 1", &error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  absence_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  lesson = zh_store_get_entity (service, &zh_lesson_info, school.lesson_yesterday, &error);
  g_assert_true (zh_store_lock (service, &error));
  g_assert_true (zh_server_store_record_change (service, &zh_lesson_info, lesson->id, school.school_id,
                                                FALSE, &rev, &error));
  g_free (lesson->topic);
  lesson->topic = g_strdup ("Исправлено на сервере");
  lesson->rev = rev;
  g_assert_true (zh_store_put_entity (service, &zh_lesson_info, lesson, &error));
  g_assert_true (zh_store_delete_entity (service, &zh_attendance_info, absence_id, &error));
  g_assert_true (zh_server_store_record_change (service, &zh_attendance_info, absence_id, school.school_id,
                                                TRUE, NULL, &error));
  g_assert_true (zh_store_unlock (service, ZH_STORE_UNLOCK_COMMIT, &error));
  g_assert_no_error (error);

  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  assert_copy_equals_service (fixture);
  {
    g_autoptr(ZhLesson) copied = zh_store_get_entity (zh_offline_get_store (fixture->offline),
                                                      &zh_lesson_info, school.lesson_yesterday, &error);

    g_assert_cmpstr (copied->topic, ==, "Исправлено на сервере");
    g_assert_null (zh_store_get_entity (zh_offline_get_store (fixture->offline), &zh_attendance_info,
                                        absence_id, NULL));
  }
}

/* ---- the service away ----------------------------------------------------------------------- */

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* With the service stopped the sync fails as "offline" and says since when; the teacher keeps
 * working; when the service is back the sync runs again by itself (001 §6.4). */
static void
test_service_away_and_back (SyncFixture   *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint16 port = fixture->port;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint syncs = 0;
  guint guard;

  sign_in (fixture, "teacher");
  g_assert_true (run_sync (fixture, &error));
  server_stop (fixture);

  g_assert_false (run_sync (fixture, &error));
  g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_false (zh_sync_get_online (fixture->sync));
  g_assert_cmpint (zh_sync_get_offline_since (fixture->sync), >=, now);
  g_assert_nonnull (zh_sync_get_last_error (fixture->sync));

  /* Offline, edits go on and wait. */
  g_assert_true (zh_offline_set_absence (fixture->offline, school.lesson_today, school.students5[0],
                                         ZH_ATTENDANCE_ABSENT, now, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (zh_sync_get_n_waiting (fixture->sync), ==, 1);

  /* The schedule keeps probing with backoff; the service comes back; the probe finds it. The
   * edit then meets the service (whose batch route may not be there yet: that is answered, so the
   * service counts as online either way). */
  g_signal_connect (fixture->sync, "notify::online", G_CALLBACK (notify_cb), &syncs);
  zh_sync_set_schedule (fixture->sync, 10, 3600 * 1000, 20, 200);
  zh_sync_start (fixture->sync);
  guard = g_timeout_add_seconds (60, too_long_cb, NULL);
  g_usleep (300 * 1000);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (zh_sync_get_online (fixture->sync));
  server_start (fixture, port);
  while (!zh_sync_get_online (fixture->sync))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
  g_assert_cmpint (zh_sync_get_offline_since (fixture->sync), ==, 0);
  g_assert_cmpuint (syncs, >=, 1);
}

/* Sign-in: a wrong password is refused; signing out ends the session at once (002 §4.5). */
static void
test_sign_in_and_out (SyncFixture   *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) wrong = NULL;
  g_autoptr(GAsyncResult) out = NULL;
  g_autoptr(GAsyncResult) after = NULL;
  g_autoptr(ZhStaff) nobody = NULL;
  g_autoptr(ZhChangesPage) page = NULL;

  zh_client_login_async (fixture->client, "teacher", "not-the-password", NULL, got_result_cb, &wrong);
  nobody = zh_client_login_finish (fixture->client, wait_result (&wrong), NULL, &error);
  g_assert_null (nobody);
  g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  sign_in (fixture, "teacher");
  zh_client_logout_async (fixture->client, NULL, got_result_cb, &out);
  g_assert_true (zh_client_logout_finish (fixture->client, wait_result (&out), &error));
  g_assert_no_error (error);
  g_assert_null (zh_client_get_token (fixture->client));

  zh_client_get_changes_async (fixture->client, 0, 10, NULL, got_result_cb, &after);
  page = zh_client_get_changes_finish (fixture->client, wait_result (&after), &error);
  g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_UNAUTHORIZED);
}

static void
make_template (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ZhStore) store = NULL;

  template_dir = zh_test_tmpdir_new ();
  path = g_build_filename (template_dir, "zhurnal.sqlite", NULL);
  store = zh_store_open (path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  zh_test_school_fill (store, &school, 40);
  g_assert_true (zh_server_prepare_demo (store, &error));
  g_assert_no_error (error);
  /* Closing the only connection folds the WAL into the file, so a copy of the file is whole. */
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  make_template ();

#define ADD(path, func) \
  g_test_add (path, SyncFixture, NULL, sync_setup, func, sync_teardown)

  ADD ("/sync/pull/first-full-copy", test_first_full_sync);
  ADD ("/sync/pull/interrupted-resumes", test_interrupted_pull_resumes);
  ADD ("/sync/pull/changes-and-tombstones", test_changes_and_tombstones);
  ADD ("/sync/away/offline-and-back", test_service_away_and_back);
  ADD ("/sync/session/sign-in-and-out", test_sign_in_and_out);

  status = g_test_run ();
  zh_test_school_clear (&school);
  zh_test_tmpdir_free (template_dir);
  return status;
}
