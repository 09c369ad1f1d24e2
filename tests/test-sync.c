/* test-sync: the client's sync against the real reference service, run in-process on 127.0.0.1
 * with port 0 (STYLE.md "Tests"): the first full copy, a pull cut off and resumed, tombstones,
 * the service going away and coming back (REQUIREMENTS §9, 001 §6.4; DESIGN.md §4). */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "zh-entity-sql.h"
#include "zh-offline-private.h"
#include "zh-policy.h"
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
  ZhStore *copy;          /* when set: counts the pages seen while indexes were deferred */
  guint   deferred_pages;
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
  if (progress->copy != NULL)
    {
      g_autofree char *deferred = zh_store_dup_meta (progress->copy, "deferred_indexes");

      progress->deferred_pages += deferred != NULL;
    }
  if (++progress->pages == progress->cancel_after)
    zh_sync_cancel (sync);
}

/* ---- pulling -------------------------------------------------------------------------------- */

/* The names of the indexes of @store's tables, sorted, one string. */
static char *
index_names (ZhStore *store)
{
  g_autoptr(GString) names = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (zh_store_get_db (store),
                                       "SELECT name FROM sqlite_schema WHERE type = 'index' "
                                       "AND sql IS NOT NULL ORDER BY name", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (names, "%s ", (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static void
ahead_cb (gint64   next,
          gboolean more,
          gpointer user_data)
{
  gint64 *told = user_data;

  g_assert_true (more);
  *told = next;
}

/* The service writes a page's `next` and `more` first (docs/api.md), so the client learns where
 * the following page starts before it decodes this one, and the sync asks for it at once. */
static void
test_page_header_first (SyncFixture   *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ZhChangesPage) page = NULL;
  gint64 told = -1;

  sign_in (fixture, "deputy");
  zh_client_get_changes_ahead_async (fixture->client, 0, 10, ahead_cb, &told, NULL, got_result_cb,
                                     &result);
  while (result == NULL)
    {
      g_main_context_iteration (NULL, TRUE);
      /* Told before the page is decoded and returned. */
      g_assert_true (result == NULL || told >= 0);
    }
  page = zh_client_get_changes_finish (fixture->client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->changes->len, ==, 10);
  g_assert_cmpint (told, ==, page->next);
}

/* A deputy's first sync copies the whole school, every row equal to the service's. */
static void
test_first_full_sync (SyncFixture   *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };

  g_autofree char *indexes = NULL;
  g_autofree char *expected_indexes = NULL;

  sign_in (fixture, "deputy");
  expected_indexes = index_names (zh_offline_get_store (fixture->offline));
  zh_sync_set_page_size (fixture->sync, 97);
  progress.copy = zh_offline_get_store (fixture->offline);
  g_signal_connect (fixture->sync, "progress", G_CALLBACK (progress_cb), &progress);
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);

  assert_copy_equals_service (fixture);
  /* The first sync loads every page without the secondary indexes and builds them at its end. */
  g_assert_cmpuint (progress.deferred_pages, ==, progress.pages);
  indexes = index_names (zh_offline_get_store (fixture->offline));
  g_assert_cmpstr (indexes, ==, expected_indexes);
  g_assert_null (zh_store_dup_meta (zh_offline_get_store (fixture->offline), "deferred_indexes"));
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
  /* A first sync that stopped builds the indexes it had deferred: the copy reads fast. */
  {
    g_autofree char *indexes = index_names (zh_offline_get_store (fixture->offline));
    g_autofree char *expected = index_names (zh_server_get_store (fixture->server));

    g_assert_cmpstr (indexes, ==, expected);
  }

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
  /* The sync the schedule started may still run after this test (it keeps the ZhSync alive): it
   * must not count into this frame then. */
  g_signal_handlers_disconnect_by_func (fixture->sync, notify_cb, &syncs);
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

/* ---- pushing -------------------------------------------------------------------------------- */

/* Another signed-in user with their own copy (the deputy, the class teacher). */
typedef struct
{
  ZhClient  *client;
  ZhOffline *offline;
  ZhSync    *sync;
} Other;

static void
other_open (SyncFixture *fixture,
            Other       *other,
            const char  *login)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ZhStaff) staff = NULL;
  g_autofree char *name = g_strdup_printf ("%s.sqlite", login);
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

  other->client = zh_client_new (fixture->url, &error);
  zh_client_login_async (other->client, login, "demo", NULL, got_result_cb, &result);
  staff = zh_client_login_finish (other->client, wait_result (&result), NULL, &error);
  g_assert_no_error (error);
  other->offline = zh_offline_open_path (path, &error);
  g_assert_no_error (error);
  g_assert_true (zh_offline_set_account (other->offline, fixture->url, staff, &error));
  other->sync = zh_sync_new (other->offline, other->client);
}

static void
other_sync (Other *other)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  zh_sync_run_async (other->sync, NULL, got_result_cb, &result);
  g_assert_true (zh_sync_run_finish (other->sync, wait_result (&result), &error));
  g_assert_no_error (error);
}

static void
other_close (Other *other)
{
  g_clear_object (&other->sync);
  g_clear_object (&other->offline);
  g_clear_object (&other->client);
}

static char *
lesson_on (ZhStore    *store,
           const char *group_id,
           guint       days_ago)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *date = zh_test_date_days_ago (days_ago);
  sqlite3_stmt *stmt = zh_store_prepare (store, "SELECT id FROM lesson WHERE group_id = ?1 AND date = ?2",
                                         &error);
  char *id = NULL;

  g_assert_no_error (error);
  sqlite3_bind_text (stmt, 1, group_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, date, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  g_assert_nonnull (id);
  return id;
}

static gint64
count_where (ZhStore    *store,
             const char *sql,
             const char *param)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = zh_store_prepare (store, sql, &error);
  gint64 n;

  g_assert_no_error (error);
  if (param != NULL)
    sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return n;
}

#define PUSH_DAYS 7

/* Today's midnight on the test school's clock (the default policy's Europe/Moscow). */
static gint64
school_midnight (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Moscow");
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autoptr(GDateTime) midnight = g_date_time_new (tz, g_date_time_get_year (now),
                                                   g_date_time_get_month (now),
                                                   g_date_time_get_day_of_month (now), 0, 0, 0);

  return g_date_time_to_unix (midnight);
}

/* The teacher loses the service, works on for a week (500 edits: marks, absences, topics, each
 * entered on its lesson's day), the service comes back, and ONE sync applies every edit exactly
 * once: every mark once, no mark twice, the outbox empty, the copy equal to the service
 * (REQUIREMENTS §9, 001 §6.4; docs/api.md "At most once"). */
static void
test_push_offline_week_exactly_once (SyncFixture   *fixture,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) mark_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) topics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ZhStore *copy;
  ZhStore *service;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint16 port;
  guint edits = 0;
  gint64 marks_before, absences_before;

  sign_in (fixture, "teacher");
  g_assert_true (run_sync (fixture, &error));
  copy = zh_offline_get_store (fixture->offline);
  service = zh_server_get_store (fixture->server);
  marks_before = count_where (service, "SELECT count (*) FROM mark", NULL);
  absences_before = count_where (service, "SELECT count (*) FROM attendance", NULL);

  port = fixture->port;
  server_stop (fixture);

  for (guint d = 0; d < PUSH_DAYS; d++)
    {
      g_autofree char *math5 = lesson_on (copy, school.math5_id, d);
      g_autofree char *math1 = lesson_on (copy, school.math1_id, d);
      /* Entered on the lesson's own day on the school's clock, a second apart. */
      gint64 at = MAX (now - (gint64) d * 86400 - 200, school_midnight () - (gint64) d * 86400) - edits;

      for (guint i = 0; i < 60; i++)
        {
          char *mark_id = NULL;
          g_autofree char *value = g_strdup_printf ("%u", 2 + (d + i) % 4);

          zh_offline_add_mark (fixture->offline, math5, school.students5[i % ZH_TEST_SCHOOL_STUDENTS],
                               value, "answer", NULL, at + edits, &mark_id, &error);
          g_assert_no_error (error);
          g_ptr_array_add (mark_ids, mark_id);
          edits++;
        }
      /* Absences in 1А, where the lesson has none yet but student d % 6 (zh-test-school.c). */
      for (guint s = 0; s < ZH_TEST_SCHOOL_STUDENTS; s++)
        if (s != d % ZH_TEST_SCHOOL_STUDENTS)
          {
            g_assert_true (zh_offline_set_absence (fixture->offline, math1, school.students1[s],
                                                   s % 2 ? ZH_ATTENDANCE_ABSENT : ZH_ATTENDANCE_LATE,
                                                   at + edits, &error));
            g_assert_no_error (error);
            edits++;
          }
      /* Topics written, then rewritten: the last text wins. */
      for (guint v = 0; v < (d == 0 ? 6u : 3u); v++)
        {
          const char *lessons[] = { math5, math1 };

          for (guint l = 0; l < G_N_ELEMENTS (lessons); l++)
            {
              g_autofree char *topic = g_strdup_printf ("Тема %u, вариант %u", d, v);

              if (d == 0 && l == 1 && v >= 3)
                continue;
              g_assert_true (zh_offline_set_topic (fixture->offline, lessons[l], topic, at + edits,
                                                   &error));
              g_assert_no_error (error);
              g_hash_table_replace (topics, g_strdup (lessons[l]), g_steal_pointer (&topic));
              edits++;
            }
        }
    }
  g_assert_cmpuint (edits, ==, 500);
  g_assert_cmpuint (zh_sync_get_n_waiting (fixture->sync), ==, 420 + 35 + 2 * PUSH_DAYS);

  /* Offline: the sync fails as "offline", nothing is lost. */
  g_assert_false (run_sync (fixture, &error));
  g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_cmpuint (zh_sync_get_n_waiting (fixture->sync), ==, 420 + 35 + 2 * PUSH_DAYS);

  /* Back: one sync. */
  server_start (fixture, port);
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  service = zh_server_get_store (fixture->server);

  g_assert_cmpuint (zh_sync_get_n_waiting (fixture->sync), ==, 0);
  g_assert_cmpuint (zh_sync_get_n_rejected (fixture->sync), ==, 0);
  g_assert_cmpuint (zh_sync_get_n_conflicts (fixture->sync), ==, 0);
  g_assert_cmpint (count_where (copy, "SELECT count (*) FROM outbox", NULL), ==, 0);
  g_assert_cmpint (count_where (copy, "SELECT count (*) FROM shadow", NULL), ==, 0);
  /* Every mark once, none twice. */
  g_assert_cmpint (count_where (service, "SELECT count (*) FROM mark", NULL), ==, marks_before + 420);
  for (guint i = 0; i < mark_ids->len; i++)
    g_assert_cmpint (count_where (service, "SELECT count (*) FROM mark WHERE id = ?1",
                                  mark_ids->pdata[i]), ==, 1);
  g_assert_cmpint (count_where (service, "SELECT count (*) FROM attendance", NULL), ==,
                   absences_before + 35);
  {
    GHashTableIter iter;
    gpointer lesson_id, topic;

    g_hash_table_iter_init (&iter, topics);
    while (g_hash_table_iter_next (&iter, &lesson_id, &topic))
      {
        g_autoptr(ZhLesson) lesson = zh_store_get_entity (service, &zh_lesson_info, lesson_id, &error);

        g_assert_no_error (error);
        g_assert_cmpstr (lesson->topic, ==, topic);
      }
  }
  assert_copy_equals_service (fixture);
}

/* An edit the service refuses is kept with the service's reason until the user drops it. Here
 * the teacher's computer was offline for 19 days: the mark was entered the day after its lesson
 * (so the copy's own policy check allowed it), but it reached the service past the 14-day edit
 * window, which the service judges by the time the entry arrives (002 §5.2; DESIGN.md §4). */
static void
test_push_rejected_kept_with_reason (SyncFixture   *fixture,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rejected = NULL;
  g_autofree char *mark_id = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  ZhOutboxEntry *entry;

  sign_in (fixture, "teacher");
  g_assert_true (run_sync (fixture, &error));
  g_assert_true (zh_offline_add_mark (fixture->offline, school.lesson_old, school.students5[4], "4",
                                      "answer", NULL, now - 19 * 86400, &mark_id, &error));
  g_assert_no_error (error);
  /* A good edit in the same batch is applied: a refusal undoes only its own operation. */
  g_assert_true (zh_offline_set_topic (fixture->offline, school.lesson_today, "Десятичные дроби",
                                       now, &error));

  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (zh_sync_get_n_rejected (fixture->sync), ==, 1);
  g_assert_cmpuint (zh_sync_get_n_waiting (fixture->sync), ==, 0);
  rejected = zh_offline_list_outbox (fixture->offline, ZH_OUTBOX_REJECTED, &error);
  g_assert_cmpuint (rejected->len, ==, 1);
  entry = rejected->pdata[0];
  g_assert_cmpstr (entry->entity_id, ==, mark_id);
  g_assert_cmpstr (entry->reason_code, ==, "entry_too_old");
  g_assert_nonnull (entry->reason_message);
  g_assert_cmpuint (strlen (entry->reason_message), >, 10);
  /* Kept: the copy still shows the teacher's mark; the service has none. */
  {
    g_autoptr(ZhMark) kept = zh_store_get_entity (zh_offline_get_store (fixture->offline),
                                                  &zh_mark_info, mark_id, NULL);

    g_assert_nonnull (kept);
  }
  g_assert_null (zh_store_get_entity (zh_server_get_store (fixture->server), &zh_mark_info,
                                      mark_id, NULL));
  {
    g_autoptr(ZhLesson) lesson = zh_store_get_entity (zh_server_get_store (fixture->server),
                                                      &zh_lesson_info, school.lesson_today, NULL);

    g_assert_cmpstr (lesson->topic, ==, "Десятичные дроби");
  }

  /* The teacher drops it: the copy is the service's again. */
  g_assert_true (zh_offline_discard (fixture->offline, entry->op_id, &error));
  g_assert_no_error (error);
  g_assert_true (run_sync (fixture, &error));
  g_assert_cmpuint (zh_sync_get_n_rejected (fixture->sync), ==, 0);
  assert_copy_equals_service (fixture);
}

static ZhOutboxEntry *
only_conflict (SyncFixture *fixture,
               GPtrArray  **keep)
{
  g_autoptr(GError) error = NULL;

  *keep = zh_offline_list_outbox (fixture->offline, ZH_OUTBOX_CONFLICT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint ((*keep)->len, ==, 1);
  return (*keep)->pdata[0];
}

/* Two people change one cell while the teacher is offline; her edit comes back as a conflict
 * with both versions kept and shown; she keeps hers (sent over the other) or takes theirs (the
 * other's version shows). No one silently overwrites another's entry (docs/api.md "base_rev"). */
static void
test_push_conflict_resolved_both_ways (SyncFixture   *fixture,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GPtrArray) conflicts2 = NULL;
  g_autoptr(ZhAttendance) absence = NULL;
  g_autoptr(ZhLesson) lesson = NULL;
  Other classteacher = { 0 };
  Other deputy = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  ZhOutboxEntry *entry;
  ZhStore *service = zh_server_get_store (fixture->server);
  ZhStore *copy;

  sign_in (fixture, "teacher");
  g_assert_true (run_sync (fixture, &error));
  copy = zh_offline_get_store (fixture->offline);

  /* 1. Yesterday's absence of student 1: the class teacher marks it "ill" (002 §5.3) while the
   * teacher, offline, corrects it to "late". */
  other_open (fixture, &classteacher, "classteacher");
  other_sync (&classteacher);
  g_assert_true (zh_offline_set_absence_reason (classteacher.offline, school.lesson_yesterday,
                                                school.students5[1], ZH_ATTENDANCE_ILL, now, &error));
  g_assert_no_error (error);
  other_sync (&classteacher);
  g_assert_true (zh_offline_set_absence (fixture->offline, school.lesson_yesterday, school.students5[1],
                                         ZH_ATTENDANCE_LATE, now, &error));
  g_assert_no_error (error);

  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (zh_sync_get_n_conflicts (fixture->sync), ==, 1);
  entry = only_conflict (fixture, &conflicts);
  /* Both versions: hers in the operation, the service's beside it; the copy shows hers. */
  g_assert_nonnull (strstr (entry->value, "\"late\""));
  g_assert_nonnull (strstr (entry->server_value, "\"ill\""));
  absence = zh_store_get_entity (copy, &zh_attendance_info, entry->entity_id, &error);
  g_assert_cmpint (absence->code, ==, ZH_ATTENDANCE_LATE);
  g_clear_pointer (&absence, zh_attendance_free);

  /* She keeps hers: sent again over the class teacher's version. */
  g_assert_true (zh_offline_resolve (fixture->offline, entry->op_id, ZH_RESOLVE_KEEP_MINE, &error));
  g_assert_no_error (error);
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (zh_sync_get_n_conflicts (fixture->sync), ==, 0);
  absence = zh_store_get_entity (service, &zh_attendance_info, entry->entity_id, &error);
  g_assert_cmpint (absence->code, ==, ZH_ATTENDANCE_LATE);

  /* 2. The deputy arranges a substitute for today's lesson (002 §5.4) while the teacher, offline,
   * writes its topic: the same row. */
  other_open (fixture, &deputy, "deputy");
  other_sync (&deputy);
  {
    g_autoptr(ZhLesson) row = zh_store_get_entity (service, &zh_lesson_info, school.lesson_today, &error);
    g_autoptr(ZhOperation) op = zh_operation_new ();
    g_autoptr(GPtrArray) ops = g_ptr_array_new ();
    g_autoptr(GPtrArray) results = NULL;
    g_autoptr(GAsyncResult) result = NULL;

    g_free (row->teacher_id);
    row->teacher_id = g_strdup (school.classteacher_id);
    row->substitute = TRUE;
    op->op_id = zh_uuid_new ();
    op->info = &zh_lesson_info;
    op->action = ZH_OP_ACTION_PUT;
    op->id = g_strdup (row->id);
    op->base_rev = row->rev;
    op->value = zh_entity_to_string (&zh_lesson_info, row);
    g_ptr_array_add (ops, op);
    zh_client_post_batch_async (deputy.client, ops, NULL, got_result_cb, &result);
    results = zh_client_post_batch_finish (deputy.client, wait_result (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpint (((ZhOpResult *) results->pdata[0])->status, ==, ZH_OP_STATUS_APPLIED);
  }
  g_assert_true (zh_offline_set_topic (fixture->offline, school.lesson_today, "Проценты", now, &error));
  g_assert_no_error (error);
  g_assert_true (run_sync (fixture, &error));
  g_assert_cmpuint (zh_sync_get_n_conflicts (fixture->sync), ==, 1);
  entry = only_conflict (fixture, &conflicts2);
  g_assert_nonnull (strstr (entry->value, "Проценты"));
  g_assert_nonnull (strstr (entry->server_value, school.classteacher_id));
  lesson = zh_store_get_entity (copy, &zh_lesson_info, school.lesson_today, &error);
  g_assert_cmpstr (lesson->topic, ==, "Проценты");
  g_clear_pointer (&lesson, zh_lesson_free);

  /* She takes theirs: her topic is dropped, the substitution shows. */
  g_assert_true (zh_offline_resolve (fixture->offline, entry->op_id, ZH_RESOLVE_TAKE_THEIRS, &error));
  g_assert_no_error (error);
  lesson = zh_store_get_entity (copy, &zh_lesson_info, school.lesson_today, &error);
  g_assert_cmpstr (lesson->teacher_id, ==, school.classteacher_id);
  g_assert_true (lesson->substitute);
  g_assert_cmpstr (lesson->topic, !=, "Проценты");
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (zh_sync_get_n_conflicts (fixture->sync), ==, 0);
  g_assert_cmpuint (zh_sync_get_n_waiting (fixture->sync), ==, 0);
  assert_copy_equals_service (fixture);

  other_close (&classteacher);
  other_close (&deputy);
}

/* ---- period marks --------------------------------------------------------------------------- */

static char *
only_period_id (ZhStore *store)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = zh_store_prepare (store, "SELECT id FROM period", &error);
  char *id = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_reset (stmt);
  return id;
}

static gint64
count_period_marks (ZhStore    *store,
                    const char *student_id,
                    const char *value)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = zh_store_prepare (store, "SELECT count (*) FROM period_mark WHERE "
                                                "student_id = ?1 AND group_id = ?2 AND "
                                                "kind = 'period' AND (?3 IS NULL OR value = ?3)",
                                         &error);
  gint64 n;

  g_assert_no_error (error);
  sqlite3_bind_text (stmt, 1, student_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, school.math5_id, -1, SQLITE_TRANSIENT);
  if (value != NULL)
    sqlite3_bind_text (stmt, 3, value, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return n;
}

/* The teacher gives a period mark offline and corrects her slip at once, twice: before the first
 * sync (the unsent operation replaced in place) and after it (a second operation on the service's
 * rev). The service ends with the period mark exactly once, the last value, on the copy's id
 * (000 §4.2.4, §7; docs/sync.md "Several edits of one row"). */
static void
test_push_period_mark_exactly_once (SyncFixture   *fixture,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *period_id = NULL;
  g_autofree char *id = NULL;
  g_autoptr(ZhPeriodMark) kept = NULL;
  ZhStore *copy, *service;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  sign_in (fixture, "teacher");
  g_assert_true (run_sync (fixture, &error));
  copy = zh_offline_get_store (fixture->offline);
  service = zh_server_get_store (fixture->server);
  period_id = only_period_id (copy);
  g_assert_cmpint (count_period_marks (service, school.students5[0], NULL), ==, 0);

  g_assert_true (zh_offline_set_period_mark (fixture->offline, school.math5_id, school.students5[0],
                                             ZH_PERIOD_MARK_KIND_PERIOD, period_id, "3", now - 20,
                                             &error));
  g_assert_true (zh_offline_set_period_mark (fixture->offline, school.math5_id, school.students5[0],
                                             ZH_PERIOD_MARK_KIND_PERIOD, period_id, "4", now - 10,
                                             &error));
  g_assert_no_error (error);
  g_assert_cmpuint (zh_sync_get_n_waiting (fixture->sync), ==, 1);
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_period_marks (service, school.students5[0], NULL), ==, 1);
  g_assert_cmpint (count_period_marks (service, school.students5[0], "4"), ==, 1);

  /* Once more after the sync, within the undo grace: a change of the service's row. */
  g_assert_true (zh_offline_set_period_mark (fixture->offline, school.math5_id, school.students5[0],
                                             ZH_PERIOD_MARK_KIND_PERIOD, period_id, "5", now,
                                             &error));
  g_assert_no_error (error);
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (zh_sync_get_n_rejected (fixture->sync), ==, 0);
  g_assert_cmpuint (zh_sync_get_n_conflicts (fixture->sync), ==, 0);
  g_assert_cmpint (count_period_marks (service, school.students5[0], NULL), ==, 1);
  g_assert_cmpint (count_period_marks (service, school.students5[0], "5"), ==, 1);
  g_assert_cmpint (count_where (copy, "SELECT count (*) FROM outbox", NULL), ==, 0);
  {
    sqlite3_stmt *stmt = zh_store_prepare (copy, "SELECT id FROM period_mark WHERE student_id = ?1",
                                           &error);

    g_assert_no_error (error);
    sqlite3_bind_text (stmt, 1, school.students5[0], -1, SQLITE_TRANSIENT);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    sqlite3_reset (stmt);
  }
  kept = zh_store_get_entity (service, &zh_period_mark_info, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kept->value, ==, "5");
  g_assert_cmpstr (kept->entered_by, ==, school.teacher_id);
  assert_copy_equals_service (fixture);
}

/* The teacher gave the period mark at school; at home her copy, not synced since, has none and
 * lets her give it again. The service keeps one period mark per student and period (000 §7) and
 * refuses the second; the copy keeps the refusal with the service's reason until she drops it. */
static void
test_push_period_mark_refused_kept (SyncFixture   *fixture,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rejected = NULL;
  g_autofree char *period_id = NULL;
  Other school_computer = { 0 };
  ZhOutboxEntry *entry;
  ZhStore *service;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  sign_in (fixture, "teacher");
  g_assert_true (run_sync (fixture, &error));
  period_id = only_period_id (zh_offline_get_store (fixture->offline));
  service = zh_server_get_store (fixture->server);

  other_open (fixture, &school_computer, "teacher");
  other_sync (&school_computer);
  g_assert_true (zh_offline_set_period_mark (school_computer.offline, school.math5_id,
                                             school.students5[1], ZH_PERIOD_MARK_KIND_PERIOD,
                                             period_id, "5", now - 60, &error));
  g_assert_no_error (error);
  other_sync (&school_computer);
  other_close (&school_computer);

  g_assert_true (zh_offline_set_period_mark (fixture->offline, school.math5_id,
                                             school.students5[1], ZH_PERIOD_MARK_KIND_PERIOD,
                                             period_id, "4", now, &error));
  g_assert_no_error (error);
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (zh_sync_get_n_rejected (fixture->sync), ==, 1);
  rejected = zh_offline_list_outbox (fixture->offline, ZH_OUTBOX_REJECTED, &error);
  g_assert_cmpuint (rejected->len, ==, 1);
  entry = rejected->pdata[0];
  g_assert_true (entry->info == &zh_period_mark_info);
  g_assert_cmpstr (entry->reason_code, ==, "duplicate");
  g_assert_nonnull (entry->reason_message);
  g_assert_cmpuint (strlen (entry->reason_message), >, 10);
  /* The service has the first one only; the copy still shows the teacher's refused edit. */
  g_assert_cmpint (count_period_marks (service, school.students5[1], NULL), ==, 1);
  g_assert_cmpint (count_period_marks (service, school.students5[1], "5"), ==, 1);
  {
    g_autoptr(ZhPeriodMark) kept = zh_store_get_entity (zh_offline_get_store (fixture->offline),
                                                        &zh_period_mark_info, entry->entity_id,
                                                        NULL);

    g_assert_nonnull (kept);
    g_assert_cmpstr (kept->value, ==, "4");
  }

  g_assert_true (zh_offline_discard (fixture->offline, entry->op_id, &error));
  g_assert_no_error (error);
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (zh_sync_get_n_rejected (fixture->sync), ==, 0);
  assert_copy_equals_service (fixture);
}

/* The first active mark of @student_id in @lesson_id on @store, or NULL. */
static ZhMark *
find_mark (ZhStore    *store,
           const char *lesson_id,
           const char *student_id)
{
  g_autofree char *select = zh_entity_sql_select (&zh_mark_info);
  g_autofree char *sql = g_strconcat (select, " WHERE lesson_id = ?1 AND student_id = ?2 "
                                      "AND state = 'active' ORDER BY entered_at LIMIT 1", NULL);
  sqlite3_stmt *stmt = NULL;
  ZhMark *mark = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (zh_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, lesson_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, student_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    mark = zh_entity_from_stmt (&zh_mark_info, stmt, 0, NULL);
  sqlite3_finalize (stmt);
  return mark;
}

/* 002 §7, REQUIREMENTS §4: the deputy corrects a mark offline — refused at once without the
 * document; with it, the old mark is struck out, a new one replaces it, and after the sync the
 * service keeps both and the correction row with the reason, the document and who authorised
 * it; the copy then equals the service. */
static void
test_push_correction (SyncFixture   *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhMark) old = NULL;
  g_autoptr(ZhMark) shown = NULL;
  g_autoptr(ZhMark) replaced = NULL;
  g_autoptr(ZhMark) replacement = NULL;
  g_autoptr(ZhCorrection) correction = NULL;
  g_autoptr(GPtrArray) waiting = NULL;
  g_autofree char *new_id = NULL;
  const char *new_value;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  ZhStore *service = zh_server_get_store (fixture->server);
  ZhOutboxEntry *entry;

  sign_in (fixture, "deputy");
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  for (guint i = 0; old == NULL && i < ZH_TEST_SCHOOL_STUDENTS; i++)
    old = find_mark (zh_offline_get_store (fixture->offline), school.lesson_old, school.students5[i]);
  g_assert_nonnull (old);
  new_value = g_str_equal (old->value, "5") ? "4" : "5";

  /* No document: refused at once, offline, with the reason in Russian; nothing waits. */
  g_assert_false (zh_offline_correct_mark (fixture->offline, old->id, new_value,
                                           ZH_CORRECTION_REASON_APPEAL_UPHELD, "  ", now, NULL,
                                           &error));
  g_assert_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_CORRECTION_DOCUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (zh_offline_count (fixture->offline, ZH_OUTBOX_PENDING), ==, 0);

  g_assert_true (zh_offline_correct_mark (fixture->offline, old->id, new_value,
                                          ZH_CORRECTION_REASON_APPEAL_UPHELD,
                                          " Протокол № 3 от 12.11.2026 ", now, &new_id, &error));
  g_assert_no_error (error);
  /* The copy at once: the old mark struck out, the new one in force; one correction waits. */
  shown = zh_store_get_entity (zh_offline_get_store (fixture->offline), &zh_mark_info, old->id, &error);
  g_assert_cmpint (shown->state, ==, ZH_MARK_STATE_CORRECTED);
  g_clear_pointer (&shown, zh_mark_free);
  shown = zh_store_get_entity (zh_offline_get_store (fixture->offline), &zh_mark_info, new_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (shown->value, ==, new_value);
  waiting = zh_offline_list_outbox (fixture->offline, ZH_OUTBOX_PENDING, &error);
  g_assert_cmpuint (waiting->len, ==, 1);
  entry = waiting->pdata[0];
  g_assert_cmpint (entry->action, ==, ZH_OP_ACTION_CORRECT);
  g_assert_cmpstr (entry->entity_id, ==, old->id);
  g_assert_cmpstr (entry->correction, ==,
                   "{\"reason\":\"appeal_upheld\",\"document\":\"Протокол № 3 от 12.11.2026\"}");

  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (zh_sync_get_n_waiting (fixture->sync), ==, 0);
  g_assert_cmpuint (zh_sync_get_n_rejected (fixture->sync), ==, 0);

  replaced = zh_store_get_entity (service, &zh_mark_info, old->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (replaced->state, ==, ZH_MARK_STATE_CORRECTED);
  g_assert_cmpstr (replaced->value, ==, old->value);
  replacement = zh_store_get_entity (service, &zh_mark_info, new_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (replacement->state, ==, ZH_MARK_STATE_ACTIVE);
  g_assert_cmpstr (replacement->value, ==, new_value);
  correction = zh_store_get_entity (service, &zh_correction_info, entry->op_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (correction->target_id, ==, old->id);
  g_assert_cmpstr (correction->old_value, ==, old->value);
  g_assert_cmpstr (correction->new_value, ==, new_value);
  g_assert_cmpint (correction->reason, ==, ZH_CORRECTION_REASON_APPEAL_UPHELD);
  g_assert_cmpstr (correction->document, ==, "Протокол № 3 от 12.11.2026");
  g_assert_cmpstr (correction->authorised_by, ==, school.deputy_id);

  /* A correction of the corrected mark is refused: correct the one that replaced it. */
  g_assert_false (zh_offline_correct_mark (fixture->offline, old->id, "3",
                                           ZH_CORRECTION_REASON_REATTESTATION, "Протокол № 4",
                                           now, NULL, &error));
  g_assert_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_STATE);
  assert_copy_equals_service (fixture);
}

/* A correction the service does not apply — the administrator corrected the mark first — and
 * then given up leaves the copy as the service has it: the deputy's new mark goes (002 §7). */
static void
test_push_correction_rejected_discarded (SyncFixture   *fixture,
                                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhMark) old = NULL;
  g_autoptr(ZhMark) shown = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GPtrArray) rejected = NULL;
  g_autofree char *new_id = NULL;
  Other admin = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  ZhOutboxEntry *entry;

  sign_in (fixture, "deputy");
  g_assert_true (run_sync (fixture, &error));
  for (guint i = 0; old == NULL && i < ZH_TEST_SCHOOL_STUDENTS; i++)
    old = find_mark (zh_offline_get_store (fixture->offline), school.lesson_old, school.students5[i]);
  g_assert_nonnull (old);

  /* The administrator corrects it first. */
  other_open (fixture, &admin, "admin");
  other_sync (&admin);
  g_assert_true (zh_offline_correct_mark (admin.offline, old->id, "3",
                                          ZH_CORRECTION_REASON_DEBT_CLEARED, "Приказ № 45", now,
                                          NULL, &error));
  g_assert_no_error (error);
  other_sync (&admin);

  g_assert_true (zh_offline_correct_mark (fixture->offline, old->id, "4",
                                          ZH_CORRECTION_REASON_APPEAL_UPHELD, "Протокол № 3", now,
                                          &new_id, &error));
  g_assert_no_error (error);
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  /* The mark changed on the service meanwhile: a conflict. Sent again over it, the service
   * refuses: the mark was corrected already. */
  conflicts = zh_offline_list_outbox (fixture->offline, ZH_OUTBOX_CONFLICT, &error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  entry = conflicts->pdata[0];
  g_assert_nonnull (strstr (entry->server_value, "\"corrected\""));
  g_assert_true (zh_offline_resolve (fixture->offline, entry->op_id, ZH_RESOLVE_KEEP_MINE, &error));
  g_assert_no_error (error);
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  rejected = zh_offline_list_outbox (fixture->offline, ZH_OUTBOX_REJECTED, &error);
  g_assert_cmpuint (rejected->len, ==, 1);
  entry = rejected->pdata[0];
  g_assert_cmpstr (entry->reason_code, ==, "already_corrected");
  g_assert_true (zh_offline_discard (fixture->offline, entry->op_id, &error));
  g_assert_no_error (error);
  g_assert_null (zh_store_get_entity (zh_offline_get_store (fixture->offline), &zh_mark_info,
                                      new_id, NULL));
  g_assert_true (run_sync (fixture, &error));
  g_assert_no_error (error);
  assert_copy_equals_service (fixture);
  other_close (&admin);
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

  ADD ("/sync/pull/page-header-first", test_page_header_first);
  ADD ("/sync/pull/first-full-copy", test_first_full_sync);
  ADD ("/sync/pull/interrupted-resumes", test_interrupted_pull_resumes);
  ADD ("/sync/pull/changes-and-tombstones", test_changes_and_tombstones);
  ADD ("/sync/away/offline-and-back", test_service_away_and_back);
  ADD ("/sync/session/sign-in-and-out", test_sign_in_and_out);
  ADD ("/sync/push/offline-week-exactly-once", test_push_offline_week_exactly_once);
  ADD ("/sync/push/rejected-kept-with-reason", test_push_rejected_kept_with_reason);
  ADD ("/sync/push/conflict-resolved-both-ways", test_push_conflict_resolved_both_ways);
  ADD ("/sync/push/period-mark-exactly-once", test_push_period_mark_exactly_once);
  ADD ("/sync/push/period-mark-refused-kept", test_push_period_mark_refused_kept);
  ADD ("/sync/push/correction", test_push_correction);
  ADD ("/sync/push/correction-refused-discarded", test_push_correction_rejected_discarded);

  status = g_test_run ();
  zh_test_school_clear (&school);
  zh_test_tmpdir_free (template_dir);
  return status;
}
