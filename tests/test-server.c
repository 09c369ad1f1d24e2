/* test-server.c: zhurnal-server over real HTTP on 127.0.0.1 — sessions, collections and paging,
 * the changes feed, the journal page's ETag, the audit log, malformed requests, and the real
 * binary's start and graceful stop (data/api/openapi.yaml, docs/api.md). */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "zh-model.h"
#include "zh-server.h"
#include "zh-server-store.h"
#include "zh-store.h"
#include "zh-test-server.h"
#include "zh-test-utils.h"

/* ZhServerFixture ids: "00000000-0000-4000-8000-" and twelve hex digits. */
#define U(x) "00000000-0000-4000-8000-" x
#define SCHOOL U ("a00000000001")
#define YEAR U ("a00000000002")
#define PERIOD_1 U ("b00000000001")
#define PERIOD_2 U ("b00000000002")
#define ADMIN U ("c00000000001")
#define DEPUTY U ("c00000000002")
#define CLASS_TEACHER U ("c00000000003")
#define TEACHER U ("c00000000004")
#define CLASS U ("d00000000001")
#define SUBJECT U ("f00000000001")
#define GROUP U ("f10000000001")
#define OTHER_SCHOOL U ("9a0000000001")
#define OTHER_STUDENT U ("9e0000000001")

/* A small school: one class of five students, one group with a quarter of lessons, marks and
 * attendance; and a second school whose rows nobody of the first may see. */
static const char fixture_sql[] =
  "INSERT INTO school (id, name, full_name, policy) VALUES "
  "  (" "'" SCHOOL "', 'Школа №1', 'МБОУ «Школа №1»', '{\"rounding\":{\"5\":4.5,\"4\":3.5,\"3\":2.5}}'),"
  "  ('" OTHER_SCHOOL "', 'Школа №2', 'МБОУ «Школа №2»', '{}');"
  "INSERT INTO academic_year (id, school_id, name, starts, ends) VALUES "
  "  ('" YEAR "', '" SCHOOL "', '2026/2027', '2026-09-01', '2027-05-31'),"
  "  ('" U ("9a0000000002") "', '" OTHER_SCHOOL "', '2026/2027', '2026-09-01', '2027-05-31');"
  "INSERT INTO period (id, year_id, kind, number, starts, ends, grade_from, grade_to) VALUES "
  "  ('" PERIOD_1 "', '" YEAR "', 'quarter', 1, '2026-09-01', '2026-10-25', 1, 9),"
  "  ('" PERIOD_2 "', '" YEAR "', 'quarter', 2, '2026-11-05', '2026-12-28', 1, 9);"
  "INSERT INTO staff (id, school_id, last_name, first_name, middle_name, roles, position, login) VALUES "
  "  ('" ADMIN "', '" SCHOOL "', 'Админова', 'Алла', 'Петровна', 1, 'администратор', 'admin'),"
  "  ('" DEPUTY "', '" SCHOOL "', 'Завучева', 'Вера', 'Ивановна', 2, 'заместитель директора', 'deputy'),"
  "  ('" CLASS_TEACHER "', '" SCHOOL "', 'Классова', 'Ольга', 'Сергеевна', 24, 'учитель', 'classteacher'),"
  "  ('" TEACHER "', '" SCHOOL "', 'Петрова', 'Анна', 'Сергеевна', 16, 'учитель математики', 'teacher'),"
  "  ('" U ("c00000000005") "', '" SCHOOL "', 'Без', 'Входа', '', 16, 'учитель', NULL),"
  "  ('" U ("9c0000000001") "', '" OTHER_SCHOOL "', 'Чужой', 'Учитель', '', 16, 'учитель', 'other');"
  "INSERT INTO class (id, year_id, grade, letter, class_teacher_id) VALUES "
  "  ('" CLASS "', '" YEAR "', 5, 'А', '" CLASS_TEACHER "');"
  "INSERT INTO student (id, school_id, last_name, first_name, middle_name, birth_date, gender) VALUES "
  "  ('" U ("e00000000001") "', '" SCHOOL "', 'Алексеев', 'Иван', 'Петрович', '2015-02-01', 'male'),"
  "  ('" U ("e00000000002") "', '" SCHOOL "', 'Борисова', 'Мария', '', '2015-05-12', 'female'),"
  "  ('" U ("e00000000003") "', '" SCHOOL "', 'Ёлкин', 'Пётр', '', '2015-07-30', 'male'),"
  "  ('" U ("e00000000004") "', '" SCHOOL "', 'Яковлева', 'Анна', '', '2014-12-31', 'female'),"
  "  ('" U ("e00000000005") "', '" SCHOOL "', 'Широв', 'Глеб', '', '2015-03-03', 'male'),"
  "  ('" OTHER_STUDENT "', '" OTHER_SCHOOL "', 'Другой', 'Ученик', '', '2015-01-01', 'male');"
  "INSERT INTO enrollment (id, student_id, class_id, date_from, date_to, reason, end_reason) VALUES "
  "  ('" U ("e10000000001") "', '" U ("e00000000001") "', '" CLASS "', '2026-09-01', NULL, 'start', NULL),"
  "  ('" U ("e10000000002") "', '" U ("e00000000002") "', '" CLASS "', '2026-09-01', NULL, 'start', NULL),"
  "  ('" U ("e10000000003") "', '" U ("e00000000003") "', '" CLASS "', '2026-09-01', NULL, 'start', NULL),"
  "  ('" U ("e10000000004") "', '" U ("e00000000004") "', '" CLASS "', '2026-09-01', NULL, 'start', NULL),"
  "  ('" U ("e10000000005") "', '" U ("e00000000005") "', '" CLASS "', '2026-09-01', '2026-10-10', 'start', 'departure');"
  "INSERT INTO subject (id, school_id, name, short_name) VALUES "
  "  ('" SUBJECT "', '" SCHOOL "', 'Математика', 'Мат.');"
  "INSERT INTO study_group (id, class_id, subject_id, subgroup, teacher_id) VALUES "
  "  ('" GROUP "', '" CLASS "', '" SUBJECT "', 0, '" TEACHER "');"
  "INSERT INTO group_member (id, group_id, student_id, date_from, date_to) VALUES "
  "  ('" U ("f20000000001") "', '" GROUP "', '" U ("e00000000001") "', '2026-09-01', NULL),"
  "  ('" U ("f20000000002") "', '" GROUP "', '" U ("e00000000002") "', '2026-09-01', NULL),"
  "  ('" U ("f20000000003") "', '" GROUP "', '" U ("e00000000003") "', '2026-09-01', NULL),"
  "  ('" U ("f20000000004") "', '" GROUP "', '" U ("e00000000004") "', '2026-09-01', NULL),"
  "  ('" U ("f20000000005") "', '" GROUP "', '" U ("e00000000005") "', '2026-09-01', '2026-10-10');"
  "INSERT INTO curriculum (id, class_id, subject_id, hours_per_week, hours_per_year) VALUES "
  "  ('" U ("f30000000001") "', '" CLASS "', '" SUBJECT "', 5, 170);"
  "INSERT INTO plan_item (id, group_id, number, topic, hours) VALUES "
  "  ('" U ("f40000000001") "', '" GROUP "', 1, 'Натуральные числа', 2),"
  "  ('" U ("f40000000002") "', '" GROUP "', 2, 'Дроби', 3);"
  "INSERT INTO timetable_slot (id, group_id, weekday, number, valid_from, valid_to, room) VALUES "
  "  ('" U ("f50000000001") "', '" GROUP "', 1, 2, '2026-09-01', '2027-05-31', '12');"
  "INSERT INTO lesson (id, group_id, date, number, kind, topic, homework, plan_item_id, teacher_id, "
  "                    topic_entered_at, entered_by) VALUES "
  "  ('" U ("100000000001") "', '" GROUP "', '2026-09-07', 2, 'lesson', 'Натуральные числа', '№ 1', "
  "   '" U ("f40000000001") "', '" TEACHER "', 1788771600, '" TEACHER "'),"
  "  ('" U ("100000000002") "', '" GROUP "', '2026-09-14', 2, 'lesson', 'Сложение', '№ 5', NULL, '" TEACHER "', NULL, NULL),"
  "  ('" U ("100000000003") "', '" GROUP "', '2026-09-21', 2, 'test', 'Контрольная работа', '', NULL, '" TEACHER "', NULL, NULL),"
  "  ('" U ("100000000004") "', '" GROUP "', '2026-10-05', 2, 'lesson', 'Дроби', '№ 9', NULL, '" TEACHER "', NULL, NULL),"
  "  ('" U ("100000000005") "', '" GROUP "', '2026-11-09', 2, 'lesson', 'Проценты', '', NULL, '" TEACHER "', NULL, NULL);"
  "INSERT INTO mark (id, lesson_id, student_id, value, work_type, weight, part, entered_by, entered_at) VALUES "
  "  ('" U ("200000000001") "', '" U ("100000000001") "', '" U ("e00000000001") "', '5', 'oral', 1, 0, '" TEACHER "', 1788771600),"
  "  ('" U ("200000000002") "', '" U ("100000000001") "', '" U ("e00000000002") "', '4', 'oral', 1, 0, '" TEACHER "', 1788771600),"
  "  ('" U ("200000000003") "', '" U ("100000000003") "', '" U ("e00000000001") "', '4', 'test', 2, 0, '" TEACHER "', 1789981200),"
  "  ('" U ("200000000004") "', '" U ("100000000003") "', '" U ("e00000000002") "', '3', 'test', 2, 0, '" TEACHER "', 1789981200),"
  "  ('" U ("200000000005") "', '" U ("100000000003") "', '" U ("e00000000003") "', '5', 'test', 2, 0, '" TEACHER "', 1789981200),"
  "  ('" U ("200000000006") "', '" U ("100000000004") "', '" U ("e00000000004") "', '2', 'homework', 0.5, 0, '" TEACHER "', 1791190800),"
  "  ('" U ("200000000007") "', '" U ("100000000005") "', '" U ("e00000000001") "', '5', 'oral', 1, 0, '" TEACHER "', 1794214800);"
  "INSERT INTO attendance (id, lesson_id, student_id, code, entered_by, entered_at) VALUES "
  "  ('" U ("300000000001") "', '" U ("100000000002") "', '" U ("e00000000003") "', 'absent', '" TEACHER "', 1789376400),"
  "  ('" U ("300000000002") "', '" U ("100000000003") "', '" U ("e00000000004") "', 'ill', '" TEACHER "', 1789981200),"
  "  ('" U ("300000000003") "', '" U ("100000000004") "', '" U ("e00000000001") "', 'late', '" TEACHER "', 1791190800);"
  "INSERT INTO period_mark (id, student_id, group_id, kind, period_id, value, entered_by, entered_at) VALUES "
  "  ('" U ("400000000001") "', '" U ("e00000000001") "', '" GROUP "', 'period', '" PERIOD_1 "', '4', '" TEACHER "', 1792400400),"
  "  ('" U ("400000000002") "', '" U ("e00000000002") "', '" GROUP "', 'period', '" PERIOD_1 "', '3', '" TEACHER "', 1792400400);"
  "INSERT INTO correction (id, target_kind, target_id, old_value, new_value, reason, document, authorised_by, at) VALUES "
  "  ('" U ("500000000001") "', 'mark', '" U ("200000000004") "', '2', '3', 'appeal_upheld', "
  "   'Протокол № 1', '" DEPUTY "', 1790000000);";

/* The database every test starts from, made once: Argon2id hashing takes its time. */
static char *template_dir;
static char *template_path;

/* Rows of each entity the first school has after make_template (the tombstoned one gone). */
static GHashTable *expected_rows;   /* collection → GPtrArray of ids */

static sqlite3_stmt *
prepare_ok (ZhStore    *store,
            const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = zh_store_prepare (store, sql, &error);

  g_assert_no_error (error);
  return stmt;
}

/* Change @id of @info in a write transaction of its own, as the writer does. */
static gint64
record_change (ZhStore            *store,
               const ZhEntityInfo *info,
               const char         *id,
               gboolean            deleted)
{
  g_autoptr(GError) error = NULL;
  gint64 rev = 0;

  zh_store_lock (store, &error);
  g_assert_no_error (error);
  zh_server_store_record_change (store, info, id, SCHOOL, deleted, &rev, &error);
  g_assert_no_error (error);
  zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error);
  g_assert_no_error (error);
  return rev;
}

static void
make_template (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = NULL;
  gint64 last_before;
  gint64 rev;

  template_dir = zh_test_tmpdir_new ();
  template_path = g_build_filename (template_dir, "zhurnal.sqlite", NULL);
  zh_test_server_set_template (template_path);
  store = zh_store_open (template_path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  zh_store_exec (store, fixture_sql, &error);
  g_assert_no_error (error);
  zh_server_prepare_demo (store, &error);
  g_assert_no_error (error);

  /* Every row got a rev and a feed entry; the counter stands at the last. */
  last_before = zh_server_store_get_last_rev (store);
  {
    sqlite3_stmt *stmt = prepare_ok (store, "SELECT count(*), max (rev) FROM change");

    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, last_before);
    g_assert_cmpint (sqlite3_column_int64 (stmt, 1), ==, last_before);
    sqlite3_reset (stmt);
  }

  /* A row changed again moves to a new rev; a deleted row leaves a tombstone (docs/api.md). */
  rev = record_change (store, &zh_mark_info, U ("200000000001"), FALSE);
  g_assert_cmpint (rev, ==, last_before + 1);
  zh_store_exec (store, "DELETE FROM attendance WHERE id = '" U ("300000000003") "'", &error);
  g_assert_no_error (error);
  rev = record_change (store, &zh_attendance_info, U ("300000000003"), TRUE);
  g_assert_cmpint (rev, ==, last_before + 2);

  /* What each collection must list for a staff member of the first school. */
  expected_rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; zh_entities[i] != NULL; i++)
    {
      const ZhEntityInfo *info = zh_entities[i];
      g_autofree char *sql = g_strdup_printf ("SELECT t.id FROM %s t WHERE %s = '" SCHOOL "' ORDER BY t.id",
                                              info->table, zh_server_school_expression (info));
      sqlite3_stmt *stmt = prepare_ok (store, sql);
      GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      sqlite3_reset (stmt);
      g_assert_cmpuint (ids->len, >, 0);
      g_hash_table_insert (expected_rows, (gpointer) info->collection, ids);
    }
}

static char *
sign_in (ZhServerFixture    *fixture,
         const char *login,
         const char *password)
{
  g_autofree char *body = g_strdup_printf ("{\"login\":\"%s\",\"password\":\"%s\"}", login, password);
  g_autoptr(ZhTestAnswer) answer = zh_test_post_json (fixture, "/api/v1/session", NULL, body);

  g_assert_cmpuint (answer->status, ==, SOUP_STATUS_CREATED);
  return g_strdup (json_object_get_string_member (zh_test_object_of (answer), "token"));
}

/* ---- sessions ------------------------------------------------------------------------------ */

static void
test_sign_in_returns_token_and_staff (ZhServerFixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(ZhTestAnswer) answer = zh_test_post_json (fixture, "/api/v1/session", NULL,
                                        "{\"login\":\"teacher\",\"password\":\"demo\"}");
  g_autoptr(ZhTestAnswer) session = NULL;
  JsonObject *object;
  JsonObject *staff;
  const char *token;
  gint64 expires;

  g_assert_cmpuint (answer->status, ==, SOUP_STATUS_CREATED);
  object = zh_test_object_of (answer);
  token = json_object_get_string_member (object, "token");
  g_assert_cmpuint (strlen (token), ==, 43);   /* 32 bytes, base64url without padding */
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "expires"), "Z"));
  staff = json_object_get_object_member (object, "staff");
  g_assert_cmpstr (json_object_get_string_member (staff, "id"), ==, TEACHER);
  g_assert_cmpstr (json_object_get_string_member (staff, "login"), ==, "teacher");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (staff, "roles"), 0), ==, "teacher");

  /* The token works, and lives 12 hours. */
  session = zh_test_call (fixture, "GET", "/api/v1/session", token);
  g_assert_cmpuint (session->status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (zh_test_object_of (session), "staff"), "login"),
                   ==, "teacher");
  {
    g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601 (json_object_get_string_member (object, "expires"), NULL);

    g_assert_nonnull (parsed);
    expires = g_date_time_to_unix (parsed);
    g_assert_cmpint (ABS (expires - (g_get_real_time () / G_USEC_PER_SEC + 12 * 3600)), <, 60);
  }
}

/* A wrong password and an unknown login get the very same answer: it tells nothing. */
static void
test_sign_in_wrong_password_same_as_unknown_login (ZhServerFixture       *fixture,
                                                   gconstpointer  data)
{
  g_autoptr(ZhTestAnswer) wrong = zh_test_post_json (fixture, "/api/v1/session", NULL,
                                       "{\"login\":\"teacher\",\"password\":\"wrong\"}");
  g_autoptr(ZhTestAnswer) unknown = zh_test_post_json (fixture, "/api/v1/session", NULL,
                                         "{\"login\":\"nobody\",\"password\":\"demo\"}");
  g_autoptr(ZhTestAnswer) no_account = zh_test_post_json (fixture, "/api/v1/session", NULL,
                                            "{\"login\":\"other\",\"password\":\"demo\"}");

  zh_test_assert_error (wrong, SOUP_STATUS_UNAUTHORIZED, "wrong_credentials", NULL);
  zh_test_assert_error (unknown, SOUP_STATUS_UNAUTHORIZED, "wrong_credentials", NULL);
  zh_test_assert_error (no_account, SOUP_STATUS_UNAUTHORIZED, "wrong_credentials", NULL);
  g_assert_cmpstr (json_object_get_string_member (zh_test_object_of (wrong), "message"), ==,
                   json_object_get_string_member (zh_test_object_of (unknown), "message"));
}

/* Five failures for one login within 15 minutes block it, even with the right password; other
 * logins go on working. */
static void
test_sign_in_rate_limited (ZhServerFixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(ZhTestAnswer) blocked = NULL;
  g_autofree char *other = NULL;

  for (int i = 0; i < 5; i++)
    {
      g_autoptr(ZhTestAnswer) answer = zh_test_post_json (fixture, "/api/v1/session", NULL,
                                            "{\"login\":\"teacher\",\"password\":\"guess\"}");

      zh_test_assert_error (answer, SOUP_STATUS_UNAUTHORIZED, "wrong_credentials", NULL);
    }
  blocked = zh_test_post_json (fixture, "/api/v1/session", NULL, "{\"login\":\"teacher\",\"password\":\"demo\"}");
  zh_test_assert_error (blocked, 429, "too_many_attempts", NULL);
  g_assert_nonnull (blocked->retry_after);
  g_assert_cmpint (g_ascii_strtoll (blocked->retry_after, NULL, 10), >, 800);
  g_assert_cmpint (g_ascii_strtoll (blocked->retry_after, NULL, 10), <=, 900);

  other = sign_in (fixture, "deputy", "demo");
  g_assert_nonnull (other);
}

static void
test_sign_out_ends_token (ZhServerFixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *token = sign_in (fixture, "teacher", "demo");
  g_autofree char *second = sign_in (fixture, "teacher", "demo");
  g_autoptr(ZhTestAnswer) before = zh_test_call (fixture, "GET", "/api/v1/years", token);
  g_autoptr(ZhTestAnswer) out = zh_test_call (fixture, "DELETE", "/api/v1/session", token);
  g_autoptr(ZhTestAnswer) after = zh_test_call (fixture, "GET", "/api/v1/years", token);
  g_autoptr(ZhTestAnswer) again = zh_test_call (fixture, "DELETE", "/api/v1/session", token);
  g_autoptr(ZhTestAnswer) other = zh_test_call (fixture, "GET", "/api/v1/years", second);

  g_assert_cmpuint (before->status, ==, SOUP_STATUS_OK);
  g_assert_cmpuint (out->status, ==, SOUP_STATUS_NO_CONTENT);
  g_assert_null (out->json);
  zh_test_assert_error (after, SOUP_STATUS_UNAUTHORIZED, "unauthorized", "Authorization");
  zh_test_assert_error (again, SOUP_STATUS_UNAUTHORIZED, "unauthorized", "Authorization");
  /* Signing out ends that session only (002 §4.5). */
  g_assert_cmpuint (other->status, ==, SOUP_STATUS_OK);
}

static void
test_missing_or_bad_token_401 (ZhServerFixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(ZhTestAnswer) none = zh_test_call (fixture, "GET", "/api/v1/marks", NULL);
  g_autoptr(ZhTestAnswer) bad = zh_test_call (fixture, "GET", "/api/v1/marks", "not-a-token");
  g_autoptr(ZhTestAnswer) status = zh_test_call (fixture, "GET", "/api/v1/status", NULL);

  zh_test_assert_error (none, SOUP_STATUS_UNAUTHORIZED, "unauthorized", "Authorization");
  zh_test_assert_error (bad, SOUP_STATUS_UNAUTHORIZED, "unauthorized", "Authorization");
  g_assert_cmpuint (status->status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (zh_test_object_of (status), "service"), ==, "zhurnal-server");
}

/* Staff passwords change (004 §3.3): at least 8 characters, not the login; the other sessions end. */
static void
test_password_change (ZhServerFixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *token = sign_in (fixture, "teacher", "demo");
  g_autofree char *other = sign_in (fixture, "teacher", "demo");
  g_autofree char *fresh = NULL;
  g_autoptr(ZhTestAnswer) wrong_old = zh_test_post_json (fixture, "/api/v1/session/password", token,
                                           "{\"old_password\":\"nope\",\"new_password\":\"longenough\"}");
  g_autoptr(ZhTestAnswer) too_short = zh_test_post_json (fixture, "/api/v1/session/password", token,
                                           "{\"old_password\":\"demo\",\"new_password\":\"short\"}");
  g_autoptr(ZhTestAnswer) is_login = zh_test_post_json (fixture, "/api/v1/session/password", token,
                                          "{\"old_password\":\"demo\",\"new_password\":\"teacher\"}");
  g_autoptr(ZhTestAnswer) changed = NULL;
  g_autoptr(ZhTestAnswer) still = NULL;
  g_autoptr(ZhTestAnswer) ended = NULL;
  g_autoptr(ZhTestAnswer) old_login = NULL;

  zh_test_assert_error (wrong_old, SOUP_STATUS_FORBIDDEN, "wrong_password", "old_password");
  zh_test_assert_error (too_short, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid_value", "new_password");
  /* "teacher" has 7 characters; a login of 8+ would be refused as equal; both rules hold. */
  zh_test_assert_error (is_login, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid_value", "new_password");

  changed = zh_test_post_json (fixture, "/api/v1/session/password", token,
                       "{\"old_password\":\"demo\",\"new_password\":\"Новый пароль 1\"}");
  g_assert_cmpuint (changed->status, ==, SOUP_STATUS_NO_CONTENT);
  still = zh_test_call (fixture, "GET", "/api/v1/session", token);
  g_assert_cmpuint (still->status, ==, SOUP_STATUS_OK);
  ended = zh_test_call (fixture, "GET", "/api/v1/session", other);
  zh_test_assert_error (ended, SOUP_STATUS_UNAUTHORIZED, "unauthorized", "Authorization");

  old_login = zh_test_post_json (fixture, "/api/v1/session", NULL, "{\"login\":\"teacher\",\"password\":\"demo\"}");
  zh_test_assert_error (old_login, SOUP_STATUS_UNAUTHORIZED, "wrong_credentials", NULL);
  fresh = sign_in (fixture, "teacher", "Новый пароль 1");
  g_assert_nonnull (fresh);
}

static void
test_password_equal_to_login_refused (ZhServerFixture       *fixture,
                                      gconstpointer  data)
{
  g_autofree char *token = sign_in (fixture, "classteacher", "demo");
  g_autoptr(ZhTestAnswer) answer = zh_test_post_json (fixture, "/api/v1/session/password", token,
                                        "{\"old_password\":\"demo\",\"new_password\":\"classteacher\"}");

  zh_test_assert_error (answer, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid_value", "new_password");
}

/* ---- collections --------------------------------------------------------------------------- */

static void
assert_row_fields (JsonObject         *row,
                   const ZhEntityInfo *info)
{
  g_assert_cmpuint (json_object_get_size (row), ==, info->n_fields);
  for (guint i = 0; i < info->n_fields; i++)
    g_assert_true (json_object_has_member (row, info->fields[i].name));
  g_assert_cmpint (json_object_get_int_member (row, "rev"), >, 0);
}

/* Every collection lists exactly the first school's rows, each with all its fields, and each
 * row is also served alone. */
static void
test_every_collection_lists_its_rows (ZhServerFixture       *fixture,
                                      gconstpointer  data)
{
  g_autofree char *token = sign_in (fixture, "teacher", "demo");

  for (guint i = 0; zh_entities[i] != NULL; i++)
    {
      const ZhEntityInfo *info = zh_entities[i];
      GPtrArray *expected = g_hash_table_lookup (expected_rows, info->collection);
      g_autofree char *path = g_strdup_printf ("/api/v1/%s?limit=5000", info->collection);
      g_autoptr(ZhTestAnswer) answer = zh_test_call (fixture, "GET", path, token);
      JsonArray *items;

      g_test_message ("collection %s", info->collection);
      g_assert_cmpuint (answer->status, ==, SOUP_STATUS_OK);
      items = json_object_get_array_member (zh_test_object_of (answer), "items");
      g_assert_true (json_object_get_null_member (zh_test_object_of (answer), "next_cursor"));
      g_assert_cmpuint (json_array_get_length (items), ==, expected->len);
      for (guint j = 0; j < expected->len; j++)
        {
          JsonObject *row = json_array_get_object_element (items, j);

          assert_row_fields (row, info);
          g_assert_cmpstr (json_object_get_string_member (row, "id"), ==, expected->pdata[j]);
        }

      {
        g_autofree char *item_path = g_strdup_printf ("/api/v1/%s/%s", info->collection,
                                                      (const char *) expected->pdata[0]);
        g_autofree char *missing_path = g_strdup_printf ("/api/v1/%s/%s", info->collection,
                                                         U ("ffffffffffff"));
        g_autoptr(ZhTestAnswer) item = zh_test_call (fixture, "GET", item_path, token);
        g_autoptr(ZhTestAnswer) missing = zh_test_call (fixture, "GET", missing_path, token);

        g_assert_cmpuint (item->status, ==, SOUP_STATUS_OK);
        assert_row_fields (zh_test_object_of (item), info);
        g_assert_cmpstr (json_object_get_string_member (zh_test_object_of (item), "id"), ==, expected->pdata[0]);
        zh_test_assert_error (missing, SOUP_STATUS_NOT_FOUND, "not_found", NULL);
      }
    }
}

/* Following next_cursor visits every row exactly once, whatever the page size. */
static void
test_paging_covers_every_row_once (ZhServerFixture       *fixture,
                                   gconstpointer  data)
{
  static const int limits[] = { 1, 2, 7, 500 };
  g_autofree char *token = sign_in (fixture, "admin", "demo");

  for (guint i = 0; zh_entities[i] != NULL; i++)
    for (guint l = 0; l < G_N_ELEMENTS (limits); l++)
      {
        const ZhEntityInfo *info = zh_entities[i];
        GPtrArray *expected = g_hash_table_lookup (expected_rows, info->collection);
        g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
        g_autofree char *cursor = NULL;
        guint pages = 0;

        do
          {
            g_autofree char *path = NULL;
            g_autoptr(ZhTestAnswer) answer = NULL;
            JsonArray *items;
            JsonNode *next;

            if (cursor != NULL)
              path = g_strdup_printf ("/api/v1/%s?limit=%d&cursor=%s", info->collection, limits[l], cursor);
            else
              path = g_strdup_printf ("/api/v1/%s?limit=%d", info->collection, limits[l]);
            answer = zh_test_call (fixture, "GET", path, token);
            g_assert_cmpuint (answer->status, ==, SOUP_STATUS_OK);
            items = json_object_get_array_member (zh_test_object_of (answer), "items");
            g_assert_cmpuint (json_array_get_length (items), <=, (guint) limits[l]);
            for (guint j = 0; j < json_array_get_length (items); j++)
              g_ptr_array_add (seen, g_strdup (json_object_get_string_member (
                                                 json_array_get_object_element (items, j), "id")));
            next = json_object_get_member (zh_test_object_of (answer), "next_cursor");
            g_clear_pointer (&cursor, g_free);
            if (!JSON_NODE_HOLDS_NULL (next))
              cursor = g_strdup (json_node_get_string (next));
            g_assert_cmpuint (++pages, <=, expected->len + 1);
          }
        while (cursor != NULL);

        g_assert_cmpuint (seen->len, ==, expected->len);
        for (guint j = 0; j < seen->len; j++)
          g_assert_cmpstr (seen->pdata[j], ==, expected->pdata[j]);
      }
}

static guint
count_items (ZhServerFixture    *fixture,
             const char *path,
             const char *token)
{
  g_autoptr(ZhTestAnswer) answer = zh_test_call (fixture, "GET", path, token);

  g_assert_cmpuint (answer->status, ==, SOUP_STATUS_OK);
  return json_array_get_length (json_object_get_array_member (zh_test_object_of (answer), "items"));
}

static void
test_collection_filters (ZhServerFixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *token = sign_in (fixture, "teacher", "demo");

  g_assert_cmpuint (count_items (fixture, "/api/v1/marks?group=" GROUP, token), ==, 7);
  g_assert_cmpuint (count_items (fixture, "/api/v1/marks?lesson=" U ("100000000003"), token), ==, 3);
  g_assert_cmpuint (count_items (fixture, "/api/v1/marks?student=" U ("e00000000001"), token), ==, 3);
  g_assert_cmpuint (count_items (fixture, "/api/v1/marks?group=" GROUP "&from=2026-09-15&to=2026-10-31", token), ==, 4);
  g_assert_cmpuint (count_items (fixture, "/api/v1/lessons?from=2026-09-01&to=2026-10-25", token), ==, 4);
  g_assert_cmpuint (count_items (fixture, "/api/v1/lessons?class=" CLASS, token), ==, 5);
  g_assert_cmpuint (count_items (fixture, "/api/v1/lessons?teacher=" DEPUTY, token), ==, 0);
  g_assert_cmpuint (count_items (fixture, "/api/v1/attendance?group=" GROUP, token), ==, 2);
  g_assert_cmpuint (count_items (fixture, "/api/v1/students?class=" CLASS, token), ==, 5);
  g_assert_cmpuint (count_items (fixture, "/api/v1/periods?year=" YEAR, token), ==, 2);
  g_assert_cmpuint (count_items (fixture, "/api/v1/period-marks?period=" PERIOD_1, token), ==, 2);
  g_assert_cmpuint (count_items (fixture, "/api/v1/corrections?target=" U ("200000000004"), token), ==, 1);
  g_assert_cmpuint (count_items (fixture, "/api/v1/enrollments?student=" U ("e00000000005"), token), ==, 1);
}

/* Everyone reads only their own school: another school's row does not exist for them. */
static void
test_other_school_hidden (ZhServerFixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *token = sign_in (fixture, "admin", "demo");
  g_autoptr(ZhTestAnswer) student = zh_test_call (fixture, "GET", "/api/v1/students/" OTHER_STUDENT, token);
  g_autoptr(ZhTestAnswer) school = zh_test_call (fixture, "GET", "/api/v1/schools/" OTHER_SCHOOL, token);
  g_autoptr(ZhTestAnswer) schools = zh_test_call (fixture, "GET", "/api/v1/schools", token);

  zh_test_assert_error (student, SOUP_STATUS_NOT_FOUND, "not_found", NULL);
  zh_test_assert_error (school, SOUP_STATUS_NOT_FOUND, "not_found", NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (zh_test_object_of (schools), "items")), ==, 1);
}

/* ---- the changes feed ---------------------------------------------------------------------- */

typedef struct
{
  gint64   rev;
  char    *key;       /* "entity/id" */
  gboolean deleted;
} Change;

static void
change_clear (gpointer data)
{
  g_free (((Change *) data)->key);
}

/* Read the feed from @since to its end in pages of @limit. */
static GArray *
read_feed (ZhServerFixture    *fixture,
           const char *token,
           gint64      since,
           int         limit)
{
  GArray *changes = g_array_new (FALSE, FALSE, sizeof (Change));
  gboolean more = TRUE;

  g_array_set_clear_func (changes, change_clear);
  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT "&limit=%d", since, limit);
      g_autoptr(ZhTestAnswer) answer = zh_test_call (fixture, "GET", path, token);
      JsonObject *object;
      JsonArray *page;

      g_assert_cmpuint (answer->status, ==, SOUP_STATUS_OK);
      object = zh_test_object_of (answer);
      page = json_object_get_array_member (object, "changes");
      g_assert_cmpuint (json_array_get_length (page), <=, (guint) limit);
      for (guint i = 0; i < json_array_get_length (page); i++)
        {
          JsonObject *entry = json_array_get_object_element (page, i);
          Change change;

          change.rev = json_object_get_int_member (entry, "rev");
          change.deleted = json_object_get_boolean_member (entry, "deleted");
          change.key = g_strdup_printf ("%s/%s", json_object_get_string_member (entry, "entity"),
                                        json_object_get_string_member (entry, "id"));
          /* A tombstone has no value; a live row's value is the row at that rev. */
          if (change.deleted)
            g_assert_false (json_object_has_member (entry, "value"));
          else
            {
              JsonObject *value = json_object_get_object_member (entry, "value");
              const ZhEntityInfo *info = zh_entity_info_lookup (json_object_get_string_member (entry, "entity"));

              g_assert_nonnull (info);
              assert_row_fields (value, info);
              g_assert_cmpint (json_object_get_int_member (value, "rev"), ==, change.rev);
              g_assert_cmpstr (json_object_get_string_member (value, "id"), ==,
                               json_object_get_string_member (entry, "id"));
            }
          g_array_append_val (changes, change);
        }
      more = json_object_get_boolean_member (object, "more");
      g_assert_cmpint (json_object_get_int_member (object, "next"), >=, since);
      if (json_array_get_length (page) > 0)
        g_assert_cmpint (json_object_get_int_member (object, "next"), ==,
                         g_array_index (changes, Change, changes->len - 1).rev);
      else
        g_assert_false (more);
      since = json_object_get_int_member (object, "next");
    }
  return changes;
}

/* The feed resumed from any cursor gives every later change exactly once, in rev order, with
 * tombstones (docs/api.md "The changes feed"). */
static void
test_changes_resume_from_every_cursor (ZhServerFixture       *fixture,
                                       gconstpointer  data)
{
  g_autofree char *token = sign_in (fixture, "teacher", "demo");
  g_autoptr(GArray) all = read_feed (fixture, token, 0, 5000);
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  guint expected = 0;
  gint64 last;
  gboolean tombstone_seen = FALSE;
  gint64 moved_rev = 0;

  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, expected_rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    expected += ((GPtrArray *) value)->len;
  /* Every live row of the school once, plus the tombstone. */
  g_assert_cmpuint (all->len, ==, expected + 1);

  for (guint i = 0; i < all->len; i++)
    {
      Change *change = &g_array_index (all, Change, i);

      if (i > 0)
        g_assert_cmpint (change->rev, >, g_array_index (all, Change, i - 1).rev);
      g_assert_false (g_hash_table_contains (keys, change->key));
      g_hash_table_add (keys, change->key);
      if (change->deleted)
        {
          g_assert_cmpstr (change->key, ==, "attendance/" U ("300000000003"));
          tombstone_seen = TRUE;
        }
      if (g_str_equal (change->key, "mark/" U ("200000000001")))
        moved_rev = change->rev;
      /* The other school's rows never appear. */
      g_assert_null (strstr (change->key, OTHER_STUDENT));
      g_assert_null (strstr (change->key, OTHER_SCHOOL));
    }
  g_assert_true (tombstone_seen);
  /* The mark changed again sits at its new rev, next to last, once. */
  g_assert_cmpint (moved_rev, ==, g_array_index (all, Change, all->len - 2).rev);

  last = g_array_index (all, Change, all->len - 1).rev;
  for (gint64 since = 0; since <= last; since++)
    {
      g_autoptr(GArray) tail = read_feed (fixture, token, since, 7);
      guint start = 0;

      while (start < all->len && g_array_index (all, Change, start).rev <= since)
        start++;
      g_assert_cmpuint (tail->len, ==, all->len - start);
      for (guint i = 0; i < tail->len; i++)
        {
          g_assert_cmpint (g_array_index (tail, Change, i).rev, ==, g_array_index (all, Change, start + i).rev);
          g_assert_cmpstr (g_array_index (tail, Change, i).key, ==, g_array_index (all, Change, start + i).key);
        }
    }
}

/* ---- the journal page ---------------------------------------------------------------------- */

static gint64
write_in_test (ZhServerFixture            *fixture,
               const char         *sql,
               const ZhEntityInfo *info,
               const char         *id,
               gboolean            deleted)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "zhurnal.sqlite", NULL);
  g_autoptr(ZhStore) store = zh_store_open (path, ZH_STORE_FLAGS_NONE, &error);
  gint64 rev = 0;

  g_assert_no_error (error);
  zh_store_lock (store, &error);
  g_assert_no_error (error);
  zh_store_exec (store, sql, &error);
  g_assert_no_error (error);
  zh_server_store_record_change (store, info, id, SCHOOL, deleted, &rev, &error);
  g_assert_no_error (error);
  zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error);
  g_assert_no_error (error);

  /* The service is its database's only writer and answers unchanged pages 304 from memory until
   * its own writer moves the last rev (docs/server.md); a write made behind its back, as here, is
   * followed by one through it, as every real write goes. */
  {
    g_autofree char *admin = sign_in (fixture, "admin", "demo");
    g_autofree char *subject = zh_uuid_new ();
    g_autofree char *body = g_strdup_printf ("{\"operations\":[{\"op_id\":\"%s\",\"entity\":\"subject\","
                                             "\"action\":\"put\",\"id\":\"%s\",\"base_rev\":0,\"value\":"
                                             "{\"id\":\"%s\",\"school_id\":\"" SCHOOL "\",\"name\":\"%s\","
                                             "\"short_name\":\"П\"}}]}", subject, subject, subject, subject);
    g_autoptr(ZhTestAnswer) answer = zh_test_post_json (fixture, "/api/v1/batch", admin, body);
    JsonObject *result;

    g_assert_cmpuint (answer->status, ==, SOUP_STATUS_OK);
    result = json_array_get_object_element (json_object_get_array_member (zh_test_object_of (answer), "results"), 0);
    g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "applied");
  }
  return rev;
}

#define JOURNAL_PATH "/api/v1/journal?group=" GROUP "&period=" PERIOD_1

static void
test_journal_page_and_etag (ZhServerFixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *token = sign_in (fixture, "teacher", "demo");
  g_autoptr(ZhTestAnswer) page = zh_test_call (fixture, "GET", JOURNAL_PATH, token);
  g_autoptr(ZhTestAnswer) same = NULL;
  g_autoptr(ZhTestAnswer) after_edit = NULL;
  g_autoptr(ZhTestAnswer) after_delete = NULL;
  g_autoptr(ZhTestAnswer) stale = NULL;
  g_autoptr(ZhTestAnswer) missing = NULL;
  JsonObject *object;
  JsonArray *students;

  g_assert_cmpuint (page->status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (page->etag);
  object = zh_test_object_of (page);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "group"), "id"), ==, GROUP);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "period"), "id"), ==, PERIOD_1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "members")), ==, 5);
  students = json_object_get_array_member (object, "students");
  g_assert_cmpuint (json_array_get_length (students), ==, 5);
  /* In the order of the class list: by last name, Ё filed under Е. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (students, 0), "last_name"), ==, "Алексеев");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (students, 2), "last_name"), ==, "Ёлкин");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (students, 4), "last_name"), ==, "Яковлева");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "lessons")), ==, 4);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "marks")), ==, 6);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "attendance")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "period_marks")), ==, 2);

  same = zh_test_call_full (fixture, "GET", JOURNAL_PATH, token, NULL, NULL, 0, page->etag);
  g_assert_cmpuint (same->status, ==, SOUP_STATUS_NOT_MODIFIED);
  g_assert_null (same->json);

  /* A changed row of the page changes the ETag. */
  write_in_test (fixture, "UPDATE mark SET comment = 'пересдача' WHERE id = '" U ("200000000002") "'",
                 &zh_mark_info, U ("200000000002"), FALSE);
  after_edit = zh_test_call_full (fixture, "GET", JOURNAL_PATH, token, NULL, NULL, 0, page->etag);
  g_assert_cmpuint (after_edit->status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (after_edit->etag, !=, page->etag);

  /* So does a removed row, though no rev of the page grows. */
  write_in_test (fixture, "DELETE FROM attendance WHERE id = '" U ("300000000001") "'",
                 &zh_attendance_info, U ("300000000001"), TRUE);
  after_delete = zh_test_call_full (fixture, "GET", JOURNAL_PATH, token, NULL, NULL, 0, after_edit->etag);
  g_assert_cmpuint (after_delete->status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (after_delete->etag, !=, after_edit->etag);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (zh_test_object_of (after_delete), "attendance")), ==, 1);

  /* An old tag gets the page again, from the cache or not, with the current tag. */
  stale = zh_test_call_full (fixture, "GET", JOURNAL_PATH, token, NULL, NULL, 0, page->etag);
  g_assert_cmpuint (stale->status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (stale->etag, ==, after_delete->etag);

  missing = zh_test_call (fixture, "GET", "/api/v1/journal?group=" U ("ffffffffffff") "&period=" PERIOD_1, token);
  zh_test_assert_error (missing, SOUP_STATUS_NOT_FOUND, "not_found", "group");
}

/* The position of the object whose "id" is @id in @array, or -1. */
static int
index_of_id (JsonArray  *array,
             const char *id)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (array, i), "id"), id) == 0)
      return (int) i;
  return -1;
}

/* The page's marks and attendance come in the grid's order — by lesson (date, number), then by
 * student — whatever the order they were stored in (data/api/openapi.yaml, JournalPage). */
static void
test_journal_rows_in_grid_order (ZhServerFixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *token = sign_in (fixture, "teacher", "demo");
  g_autoptr(ZhTestAnswer) page = NULL;
  JsonObject *object;
  JsonArray *lessons;
  JsonArray *marks;
  JsonArray *attendance;
  JsonArray *members;

  /* Stored last, yet on the first lesson of the page, and for its first student. */
  write_in_test (fixture, "INSERT INTO mark (id, lesson_id, student_id, value, work_type, weight, part, "
                          "entered_by, entered_at) VALUES ('" U ("200000000008") "', '" U ("100000000001") "', '"
                          U ("e00000000003") "', '3', 'oral', 1, 0, '" TEACHER "', 1788771600)",
                 &zh_mark_info, U ("200000000008"), FALSE);
  write_in_test (fixture, "INSERT INTO attendance (id, lesson_id, student_id, code, entered_by, entered_at) "
                          "VALUES ('" U ("300000000004") "', '" U ("100000000001") "', '" U ("e00000000002")
                          "', 'late', '" TEACHER "', 1788771600)",
                 &zh_attendance_info, U ("300000000004"), FALSE);
  page = zh_test_call (fixture, "GET", JOURNAL_PATH, token);
  g_assert_cmpuint (page->status, ==, SOUP_STATUS_OK);
  object = zh_test_object_of (page);
  lessons = json_object_get_array_member (object, "lessons");
  marks = json_object_get_array_member (object, "marks");
  attendance = json_object_get_array_member (object, "attendance");
  members = json_object_get_array_member (object, "members");

  for (guint p = 0; p < 2; p++)
    {
      JsonArray *rows = p == 0 ? marks : attendance;

      g_assert_cmpuint (json_array_get_length (rows), >, 1);
      for (guint i = 1; i < json_array_get_length (rows); i++)
        {
          JsonObject *before = json_array_get_object_element (rows, i - 1);
          JsonObject *after = json_array_get_object_element (rows, i);
          int lesson_before = index_of_id (lessons, json_object_get_string_member (before, "lesson_id"));
          int lesson_after = index_of_id (lessons, json_object_get_string_member (after, "lesson_id"));

          g_assert_cmpint (lesson_before, >=, 0);
          g_assert_cmpint (lesson_before, <=, lesson_after);
          if (lesson_before == lesson_after)
            g_assert_cmpstr (json_object_get_string_member (before, "student_id"), <,
                             json_object_get_string_member (after, "student_id"));
        }
    }
  /* The lessons themselves by date: the first lesson's three marks come first. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (lessons, 0), "date"), ==, "2026-09-07");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (marks, 2), "id"), ==, U ("200000000008"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (attendance, 0), "id"), ==, U ("300000000004"));
  /* Memberships by their first day. */
  for (guint i = 1; i < json_array_get_length (members); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (members, i - 1), "date_from"), <=,
                     json_object_get_string_member (json_array_get_object_element (members, i), "date_from"));
}

/* ---- the audit log ------------------------------------------------------------------------- */

static void
test_audit_sign_ins_and_roles (ZhServerFixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *teacher = sign_in (fixture, "teacher", "demo");
  g_autofree char *deputy = sign_in (fixture, "deputy", "demo");
  g_autoptr(ZhTestAnswer) whole = zh_test_call (fixture, "GET", "/api/v1/audit", deputy);
  g_autoptr(ZhTestAnswer) forbidden = zh_test_call (fixture, "GET", "/api/v1/audit", teacher);
  g_autoptr(ZhTestAnswer) own = zh_test_call (fixture, "GET", "/api/v1/audit?entity=staff&id=" TEACHER, teacher);
  g_autoptr(ZhTestAnswer) out = zh_test_call (fixture, "DELETE", "/api/v1/session", teacher);
  g_autoptr(ZhTestAnswer) after = zh_test_call (fixture, "GET", "/api/v1/audit?entity=staff&id=" TEACHER, deputy);
  JsonArray *items;

  /* Every sign-in and sign-out is logged with who and when (001 §6.3). */
  g_assert_cmpuint (whole->status, ==, SOUP_STATUS_OK);
  items = json_object_get_array_member (zh_test_object_of (whole), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "action"), ==, "login");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "staff_id"), ==, TEACHER);
  zh_test_assert_error (forbidden, SOUP_STATUS_FORBIDDEN, "forbidden", "id");
  g_assert_cmpuint (own->status, ==, SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (zh_test_object_of (own), "items")), ==, 1);
  g_assert_cmpuint (out->status, ==, SOUP_STATUS_NO_CONTENT);
  items = json_object_get_array_member (zh_test_object_of (after), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 1), "action"), ==, "logout");
}

/* ---- malformed requests -------------------------------------------------------------------- */

static char *
nested (int depth)
{
  GString *text = g_string_new (NULL);

  for (int i = 0; i < depth; i++)
    g_string_append (text, "{\"a\":");
  g_string_append (text, "1");
  for (int i = 0; i < depth; i++)
    g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

/* Each malformed request is answered 4xx with a JSON error naming the field at fault, and the
 * service goes on answering (openapi.yaml "Limits"). */
static void
test_malformed_requests (ZhServerFixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *token = sign_in (fixture, "teacher", "demo");
  g_autofree char *deep = nested (40);
  g_autofree char *huge = g_strnfill (ZH_SERVER_MAX_BODY + 100, ' ');
  g_autofree char *deep_ok = nested (30);
  const struct
  {
    const char *method;
    const char *path;
    gboolean    auth;
    const char *content_type;
    const char *body;
    gssize      length;
    guint       status;
    const char *code;
    const char *field;
  } cases[] = {
    { "POST", "/api/v1/session", FALSE, "application/json", "{", -1, 400, "invalid_json", NULL },
    { "POST", "/api/v1/session", FALSE, "application/json", "", 0, 400, "invalid_json", NULL },
    { "POST", "/api/v1/session", FALSE, "application/json", "[1,2]", -1, 400, "wrong_type", NULL },
    { "POST", "/api/v1/session", FALSE, "application/json", "{\"login\":5,\"password\":\"x\"}", -1, 400, "wrong_type", "login" },
    { "POST", "/api/v1/session", FALSE, "application/json", "{\"login\":\"a\"}", -1, 400, "missing_field", "password" },
    { "POST", "/api/v1/session", FALSE, "application/json", "{\"login\":\"a\",\"password\":null}", -1, 400, "missing_field", "password" },
    { "POST", "/api/v1/session", FALSE, "application/json", "{\"login\":\"a\",\"password\":\"b\",\"extra\":1}", -1, 400, "unknown_field", "extra" },
    { "POST", "/api/v1/session", FALSE, "application/json", "{\"login\":\"\",\"password\":\"b\"}", -1, 400, "invalid_value", "login" },
    { "POST", "/api/v1/session", FALSE, "application/json", "{\"login\":\"a\xff\",\"password\":\"b\"}", -1, 400, "invalid_utf8", NULL },
    { "POST", "/api/v1/session", FALSE, "application/json", deep, -1, 400, "too_deep", NULL },
    { "POST", "/api/v1/session", FALSE, "application/json", deep_ok, -1, 400, "unknown_field", "a" },
    { "POST", "/api/v1/session", FALSE, "application/json", huge, -1, 413, "too_large", NULL },
    { "POST", "/api/v1/session", FALSE, "text/plain", "{\"login\":\"a\",\"password\":\"b\"}", -1, 415, "unsupported_media_type", "Content-Type" },
    { "POST", "/api/v1/session", FALSE, "application/x-www-form-urlencoded", "login=a&password=b", -1, 415, "unsupported_media_type", "Content-Type" },
    { "GET", "/api/v1/nothing", TRUE, NULL, NULL, 0, 404, "not_found", NULL },
    { "GET", "/nothing", FALSE, NULL, NULL, 0, 404, "not_found", NULL },
    { "GET", "/api/v1/marks/not-an-id", TRUE, NULL, NULL, 0, 404, "not_found", NULL },
    { "GET", "/api/v1/marks/" U ("200000000001") "/more", TRUE, NULL, NULL, 0, 404, "not_found", NULL },
    { "PUT", "/api/v1/marks", TRUE, NULL, NULL, 0, 405, "method_not_allowed", NULL },
    { "DELETE", "/api/v1/changes", TRUE, NULL, NULL, 0, 405, "method_not_allowed", NULL },
    { "GET", "/api/v1/session/password", TRUE, NULL, NULL, 0, 405, "method_not_allowed", NULL },
    { "GET", "/api/v1/marks?limit=0", TRUE, NULL, NULL, 0, 400, "invalid_value", "limit" },
    { "GET", "/api/v1/marks?limit=5001", TRUE, NULL, NULL, 0, 400, "invalid_value", "limit" },
    { "GET", "/api/v1/marks?limit=abc", TRUE, NULL, NULL, 0, 400, "invalid_value", "limit" },
    { "GET", "/api/v1/marks?limit=-1", TRUE, NULL, NULL, 0, 400, "invalid_value", "limit" },
    { "GET", "/api/v1/marks?limit=99999999999999999999999", TRUE, NULL, NULL, 0, 400, "invalid_value", "limit" },
    { "GET", "/api/v1/marks?bogus=1", TRUE, NULL, NULL, 0, 400, "unknown_parameter", "bogus" },
    { "GET", "/api/v1/years?class=" CLASS, TRUE, NULL, NULL, 0, 400, "unknown_parameter", "class" },
    { "GET", "/api/v1/marks?group=x'%20OR%201=1--", TRUE, NULL, NULL, 0, 400, "invalid_value", "group" },
    { "GET", "/api/v1/lessons?from=2026-13-01", TRUE, NULL, NULL, 0, 400, "invalid_value", "from" },
    { "GET", "/api/v1/lessons?to=yesterday", TRUE, NULL, NULL, 0, 400, "invalid_value", "to" },
    { "GET", "/api/v1/marks?cursor=%21%21%21", TRUE, NULL, NULL, 0, 400, "invalid_value", "cursor" },
    { "GET", "/api/v1/changes?since=-1", TRUE, NULL, NULL, 0, 400, "invalid_value", "since" },
    { "GET", "/api/v1/changes?since=1.5", TRUE, NULL, NULL, 0, 400, "invalid_value", "since" },
    { "GET", "/api/v1/journal?group=" GROUP, TRUE, NULL, NULL, 0, 400, "missing_field", "period" },
    { "GET", "/api/v1/journal?group=1&period=" PERIOD_1, TRUE, NULL, NULL, 0, 400, "invalid_value", "group" },
    { "GET", "/api/v1/audit?cursor=abc", TRUE, NULL, NULL, 0, 400, "invalid_value", "cursor" },
    { "POST", "/api/v1/session/password", TRUE, "application/json", "{\"old_password\":1,\"new_password\":\"x\"}", -1, 400, "wrong_type", "old_password" },
    { "POST", "/api/v1/session/password", FALSE, "application/json", "{\"old_password\":\"a\",\"new_password\":\"b\"}", -1, 401, "unauthorized", "Authorization" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ZhTestAnswer) answer = NULL;
      g_autoptr(ZhTestAnswer) status = NULL;
      g_autoptr(ZhTestAnswer) normal = NULL;

      g_test_message ("case %u: %s %s", i, cases[i].method, cases[i].path);
      answer = zh_test_call_full (fixture, cases[i].method, cases[i].path, cases[i].auth ? token : NULL,
                          cases[i].content_type, cases[i].body, cases[i].length, NULL);
      zh_test_assert_error (answer, cases[i].status, cases[i].code, cases[i].field);
      if (cases[i].status == 405)
        g_assert_nonnull (answer->allow);

      /* The service is still there and still right. */
      status = zh_test_call (fixture, "GET", "/api/v1/status", NULL);
      g_assert_cmpuint (status->status, ==, SOUP_STATUS_OK);
      normal = zh_test_call (fixture, "GET", "/api/v1/classes", token);
      g_assert_cmpuint (normal->status, ==, SOUP_STATUS_OK);
    }
}

/* ---- the real program ---------------------------------------------------------------------- */

static void
test_binary_listens_and_stops_on_sigterm (void)
{
  g_autofree char *dir = zh_test_tmpdir_new ();
  g_autofree char *program = zh_test_build_path ("src", "server", "zhurnal-server", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GString) accounts = g_string_new (NULL);
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;

  zh_test_copy_template (dir);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, program, "--data", dir,
                              "--listen", "127.0.0.1:0", "--demo", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));

  /* The demo accounts come first (DESIGN.md §8), then the address. */
  while ((line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error)) != NULL &&
         !g_str_has_prefix (line, "Listening on "))
    {
      g_string_append_printf (accounts, "%s\n", line);
      g_clear_pointer (&line, g_free);
    }
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (accounts->str, "classteacher"));
  g_assert_nonnull (strstr (accounts->str, "Петрова Анна Сергеевна"));
  g_assert_true (g_str_has_prefix (line, "Listening on http://127.0.0.1:"));

  url = g_strdup_printf ("%s/api/v1/status", line + strlen ("Listening on "));
  msg = soup_message_new ("GET", url);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  zh_test_tmpdir_free (g_steal_pointer (&dir));
}

/* Read the program's standard output up to its "Listening on" line; the lines before are kept. */
static char *
read_until_listening (GSubprocess *process,
                      GString     *before)
{
  g_autoptr(GDataInputStream) out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_autoptr(GError) error = NULL;
  char *line;

  while ((line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error)) != NULL &&
         !g_str_has_prefix (line, "Listening on "))
    {
      g_string_append_printf (before, "%s\n", line);
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

/* `--demo` on an empty folder generates the demo school, gives the four demo logins the password
 * "demo" and serves them (issue 4; README's accounts); started again, it serves the same school. */
static void
test_binary_demo_on_empty_folder (void)
{
  g_autofree char *dir = zh_test_tmpdir_new ();
  g_autofree char *program = zh_test_build_path ("src", "server", "zhurnal-server", NULL);
  const char *logins[] = { "admin", "deputy", "classteacher", "teacher" };

  for (int run = 0; run < 2; run++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GString) accounts = g_string_new (NULL);
      g_autoptr(SoupSession) session = soup_session_new ();
      g_autofree char *line = NULL;

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, program, "--data", dir,
                                  "--listen", "127.0.0.1:0", "--demo", "--demo-scale", "0.25", NULL);
      g_assert_no_error (error);
      line = read_until_listening (process, accounts);

      for (guint i = 0; i < G_N_ELEMENTS (logins); i++)
        {
          g_autofree char *url = g_strdup_printf ("%s/api/v1/session", line + strlen ("Listening on "));
          g_autofree char *body = g_strdup_printf ("{\"login\": \"%s\", \"password\": \"demo\"}", logins[i]);
          g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
          g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
          g_autoptr(GBytes) answer = NULL;

          g_assert_nonnull (strstr (accounts->str, logins[i]));
          soup_message_set_request_body_from_bytes (msg, "application/json", request);
          answer = soup_session_send_and_read (session, msg, NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_CREATED);
        }

      g_subprocess_send_signal (process, SIGTERM);
      g_subprocess_wait (process, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
    }

  zh_test_tmpdir_free (g_steal_pointer (&dir));
}

/* The service speaks plain HTTP: a public address needs --allow-remote. */
static void
test_binary_refuses_remote_address (void)
{
  g_autofree char *dir = zh_test_tmpdir_new ();
  g_autofree char *program = zh_test_build_path ("src", "server", "zhurnal-server", NULL);
  g_autofree char *err = NULL;
  const char *argv[] = { program, "--data", dir, "--listen", "0.0.0.0:0", NULL };
  const char *bad_argv[] = { program, "--data", dir, "--listen", "127.0.0.1", NULL };

  g_assert_cmpint (zh_test_run (argv, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--allow-remote"));
  g_assert_cmpint (zh_test_run (bad_argv, NULL, NULL), ==, 2);
  zh_test_tmpdir_free (g_steal_pointer (&dir));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  make_template ();

#define ADD(path, func) g_test_add (path, ZhServerFixture, NULL, zh_server_fixture_setup, func, zh_server_fixture_teardown)
  ADD ("/server/session/sign-in", test_sign_in_returns_token_and_staff);
  ADD ("/server/session/wrong-password-same-as-unknown-login", test_sign_in_wrong_password_same_as_unknown_login);
  ADD ("/server/session/rate-limited-after-five-failures", test_sign_in_rate_limited);
  ADD ("/server/session/sign-out-ends-token", test_sign_out_ends_token);
  ADD ("/server/session/missing-or-bad-token", test_missing_or_bad_token_401);
  ADD ("/server/session/password-change", test_password_change);
  ADD ("/server/session/password-not-login", test_password_equal_to_login_refused);
  ADD ("/server/collections/every-collection", test_every_collection_lists_its_rows);
  ADD ("/server/collections/paging-every-row-once", test_paging_covers_every_row_once);
  ADD ("/server/collections/filters", test_collection_filters);
  ADD ("/server/collections/other-school-hidden", test_other_school_hidden);
  ADD ("/server/changes/resume-from-every-cursor", test_changes_resume_from_every_cursor);
  ADD ("/server/journal/page-and-etag", test_journal_page_and_etag);
  ADD ("/server/journal/rows-in-grid-order", test_journal_rows_in_grid_order);
  ADD ("/server/audit/sign-ins-and-roles", test_audit_sign_ins_and_roles);
  ADD ("/server/limits/malformed-requests", test_malformed_requests);
#undef ADD
  g_test_add_func ("/server/binary/sigterm-exits-0", test_binary_listens_and_stops_on_sigterm);
  g_test_add_func ("/server/binary/refuses-remote-address", test_binary_refuses_remote_address);
  g_test_add_func ("/server/binary/demo-on-empty-folder", test_binary_demo_on_empty_folder);

  status = g_test_run ();
  g_clear_pointer (&expected_rows, g_hash_table_unref);
  zh_test_tmpdir_free (g_steal_pointer (&template_dir));
  g_clear_pointer (&template_path, g_free);
  return status;
}
