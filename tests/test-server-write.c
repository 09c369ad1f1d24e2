/* test-server-write.c: zhurnal-server's writes over real HTTP on 127.0.0.1 — POST /batch (at most
 * once, savepoints, conflicts), the authorisation matrix, every rule of the school policy refused
 * with its reason (REQUIREMENTS.md §2–§5), corrections (002 §7), the audit log (001 §6.3), the
 * changes feed after writes, malformed batches, and POST /imports all or nothing. */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "zh-model.h"
#include "zh-policy.h"
#include "zh-server.h"
#include "zh-server-store.h"
#include "zh-store.h"
#include "zh-test-server.h"
#include "zh-test-utils.h"

#define U(x) "00000000-0000-4000-8000-" x
#define SCHOOL U ("a00000000001")
#define OTHER_SCHOOL U ("9a0000000001")
#define YEAR U ("a00000000002")
#define P_PAST U ("b00000000001")
#define P_NOW U ("b00000000002")
#define ADMIN U ("c00000000001")
#define DEPUTY U ("c00000000002")
#define DIRECTOR U ("c00000000003")
#define CLASS_TEACHER U ("c00000000004")
#define TEACHER U ("c00000000005")
#define TEACHER2 U ("c00000000006")
#define OTHER_TEACHER U ("9c0000000001")
#define CLASS5 U ("d00000000001")
#define CLASS1 U ("d00000000002")
#define MATH U ("f00000000001")
#define RUSSIAN U ("f00000000002")
#define GROUP U ("f10000000001")     /* 5А maths, TEACHER */
#define GROUP2 U ("f10000000002")    /* 5А Russian, TEACHER2 */
#define GROUP1 U ("f10000000003")    /* 1А maths, TEACHER */
#define S1 U ("e00000000001")
#define S2 U ("e00000000002")
#define S3 U ("e00000000003")        /* in 1А */
#define S_OUT U ("e00000000004")     /* in 5А, not in GROUP */
#define L_TODAY U ("100000000001")
#define L_YESTERDAY U ("100000000002")
#define L_OLD U ("100000000003")     /* 20 days ago: past the edit window */
#define L_FUTURE U ("100000000004")
#define L_SUB U ("100000000005")     /* today, TEACHER2 substitutes */
#define L_G1 U ("100000000006")      /* grade 1, today */
#define M_OLD U ("200000000001")     /* TEACHER's, two days old */
#define M_SUB U ("200000000002")     /* TEACHER2's, a minute old, in GROUP */
#define A_YESTERDAY U ("300000000001")
#define PM_PAST U ("400000000001")

/* One token per person, stored as sessions in the template so no test waits for Argon2id. */
static const struct
{
  const char *token;
  const char *staff;
} tokens[] = {
  { "tok-admin", ADMIN }, { "tok-deputy", DEPUTY }, { "tok-director", DIRECTOR },
  { "tok-classteacher", CLASS_TEACHER }, { "tok-teacher", TEACHER }, { "tok-teacher2", TEACHER2 },
  { "tok-other", OTHER_TEACHER },
};

static char *template_dir;
static char *template_path;
static char today[11], yesterday[11], days_ago_20[11], tomorrow[11], days_ago_10[11],
            days_ago_30[11], in_30_days[11];
static gint64 now_s;

static void
local_date (const ZhPolicy *policy,
            int             offset_days,
            char           *out)
{
  GDate date;
  g_autofree char *text = NULL;

  zh_policy_local_date (policy, now_s, &date);
  if (offset_days > 0)
    g_date_add_days (&date, offset_days);
  else
    g_date_subtract_days (&date, -offset_days);
  text = zh_date_format (&date);
  g_strlcpy (out, text, 11);
}

static void
make_template (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = NULL;
  g_autoptr(ZhPolicy) policy = zh_policy_new_default ();
  g_autofree char *sql = NULL;

  now_s = g_get_real_time () / G_USEC_PER_SEC;
  local_date (policy, 0, today);
  local_date (policy, -1, yesterday);
  local_date (policy, -20, days_ago_20);
  local_date (policy, 1, tomorrow);
  local_date (policy, -10, days_ago_10);
  local_date (policy, -40, days_ago_30);
  local_date (policy, 30, in_30_days);

  sql = g_strdup_printf (
    "INSERT INTO school (id, name, full_name) VALUES ('" SCHOOL "', 'Школа №1', 'МБОУ «Школа №1»'),"
    "  ('" OTHER_SCHOOL "', 'Школа №2', 'МБОУ «Школа №2»');"
    "INSERT INTO academic_year (id, school_id, name, starts, ends) VALUES "
    "  ('" YEAR "', '" SCHOOL "', 'год', '%1$s', '%7$s'),"
    "  ('" U ("9a0000000002") "', '" OTHER_SCHOOL "', 'год', '%1$s', '%7$s');"
    "INSERT INTO period (id, year_id, kind, number, starts, ends, grade_from, grade_to) VALUES "
    "  ('" P_PAST "', '" YEAR "', 'quarter', 1, '%1$s', '%2$s', 1, 9),"
    "  ('" P_NOW "', '" YEAR "', 'quarter', 2, '%3$s', '%7$s', 1, 9);"
    "INSERT INTO staff (id, school_id, last_name, first_name, roles, login) VALUES "
    "  ('" ADMIN "', '" SCHOOL "', 'Админова', 'Алла', 1, 'admin'),"
    "  ('" DEPUTY "', '" SCHOOL "', 'Завучева', 'Вера', 2, 'deputy'),"
    "  ('" DIRECTOR "', '" SCHOOL "', 'Директорова', 'Нина', 4, 'director'),"
    "  ('" CLASS_TEACHER "', '" SCHOOL "', 'Классова', 'Ольга', 24, 'classteacher'),"
    "  ('" TEACHER "', '" SCHOOL "', 'Петрова', 'Анна', 16, 'teacher'),"
    "  ('" TEACHER2 "', '" SCHOOL "', 'Сидорова', 'Ирина', 16, 'teacher2'),"
    "  ('" OTHER_TEACHER "', '" OTHER_SCHOOL "', 'Чужой', 'Учитель', 17, 'other');"
    "INSERT INTO class (id, year_id, grade, letter, class_teacher_id) VALUES "
    "  ('" CLASS5 "', '" YEAR "', 5, 'А', '" CLASS_TEACHER "'),"
    "  ('" CLASS1 "', '" YEAR "', 1, 'А', NULL);"
    "INSERT INTO student (id, school_id, last_name, first_name, birth_date, gender) VALUES "
    "  ('" S1 "', '" SCHOOL "', 'Алексеев', 'Иван', '2015-02-01', 'male'),"
    "  ('" S2 "', '" SCHOOL "', 'Борисова', 'Мария', '2015-05-12', 'female'),"
    "  ('" S3 "', '" SCHOOL "', 'Ёлкин', 'Пётр', '2019-07-30', 'male'),"
    "  ('" S_OUT "', '" SCHOOL "', 'Широв', 'Глеб', '2015-03-03', 'male');"
    "INSERT INTO enrollment (id, student_id, class_id, date_from, reason) VALUES "
    "  ('" U ("e10000000001") "', '" S1 "', '" CLASS5 "', '%1$s', 'start'),"
    "  ('" U ("e10000000002") "', '" S2 "', '" CLASS5 "', '%1$s', 'start'),"
    "  ('" U ("e10000000003") "', '" S3 "', '" CLASS1 "', '%1$s', 'start'),"
    "  ('" U ("e10000000004") "', '" S_OUT "', '" CLASS5 "', '%1$s', 'start');"
    "INSERT INTO subject (id, school_id, name, short_name) VALUES "
    "  ('" MATH "', '" SCHOOL "', 'Математика', 'Мат.'), ('" RUSSIAN "', '" SCHOOL "', 'Русский язык', 'Рус.');"
    "INSERT INTO study_group (id, class_id, subject_id, subgroup, teacher_id) VALUES "
    "  ('" GROUP "', '" CLASS5 "', '" MATH "', 0, '" TEACHER "'),"
    "  ('" GROUP2 "', '" CLASS5 "', '" RUSSIAN "', 0, '" TEACHER2 "'),"
    "  ('" GROUP1 "', '" CLASS1 "', '" MATH "', 0, '" TEACHER "');"
    "INSERT INTO group_member (id, group_id, student_id, date_from) VALUES "
    "  ('" U ("f20000000001") "', '" GROUP "', '" S1 "', '%1$s'),"
    "  ('" U ("f20000000002") "', '" GROUP "', '" S2 "', '%1$s'),"
    "  ('" U ("f20000000003") "', '" GROUP2 "', '" S1 "', '%1$s'),"
    "  ('" U ("f20000000004") "', '" GROUP1 "', '" S3 "', '%1$s');"
    "INSERT INTO lesson (id, group_id, date, number, teacher_id, substitute, homework) VALUES "
    "  ('" L_TODAY "', '" GROUP "', '%4$s', 1, '" TEACHER "', 0, ''),"
    "  ('" L_YESTERDAY "', '" GROUP "', '%5$s', 1, '" TEACHER "', 0, ''),"
    "  ('" L_OLD "', '" GROUP "', '%6$s', 1, '" TEACHER "', 0, ''),"
    "  ('" L_FUTURE "', '" GROUP "', '%8$s', 1, '" TEACHER "', 0, ''),"
    "  ('" L_SUB "', '" GROUP "', '%4$s', 3, '" TEACHER2 "', 1, ''),"
    "  ('" L_G1 "', '" GROUP1 "', '%4$s', 1, '" TEACHER "', 0, '');"
    "INSERT INTO mark (id, lesson_id, student_id, value, work_type, weight, entered_by, entered_at) VALUES "
    "  ('" M_OLD "', '" L_YESTERDAY "', '" S1 "', '3', 'oral', 1, '" TEACHER "', %9$" G_GINT64_FORMAT "),"
    "  ('" M_SUB "', '" L_SUB "', '" S2 "', '4', 'oral', 1, '" TEACHER2 "', %10$" G_GINT64_FORMAT ");"
    "INSERT INTO attendance (id, lesson_id, student_id, code, entered_by, entered_at) VALUES "
    "  ('" A_YESTERDAY "', '" L_YESTERDAY "', '" S2 "', 'absent', '" TEACHER "', %9$" G_GINT64_FORMAT ");"
    "INSERT INTO period_mark (id, student_id, group_id, kind, period_id, value, entered_by, entered_at) VALUES "
    "  ('" PM_PAST "', '" S1 "', '" GROUP "', 'period', '" P_PAST "', '4', '" TEACHER "', %9$" G_GINT64_FORMAT ");",
    days_ago_30, days_ago_10, days_ago_10, today, yesterday, days_ago_20, in_30_days, tomorrow,
    now_s - 2 * 86400, now_s - 60);

  template_dir = zh_test_tmpdir_new ();
  template_path = g_build_filename (template_dir, "zhurnal.sqlite", NULL);
  zh_test_server_set_template (template_path);
  store = zh_store_open (template_path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  zh_store_exec (store, sql, &error);
  g_assert_no_error (error);
  /* The second period starts the day after the first ends. */
  zh_store_exec (store, "UPDATE period SET starts = date (starts, '+1 day') WHERE id = '" P_NOW "'", &error);
  g_assert_no_error (error);
  zh_server_prepare_demo (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, tokens[i].token, -1);
      g_autofree char *insert = g_strdup_printf ("INSERT INTO session (token_hash, staff_id, created_at, "
                                                 "expires_at) VALUES ('%s', '%s', %" G_GINT64_FORMAT
                                                 ", %" G_GINT64_FORMAT ")", hash, tokens[i].staff,
                                                 now_s, now_s + 12 * 3600);

      zh_store_exec (store, insert, &error);
      g_assert_no_error (error);
    }
}

/* ---- helpers ------------------------------------------------------------------------------- */

static const char *
token_of (const char *login)
{
  static char buffer[64];

  g_snprintf (buffer, sizeof buffer, "tok-%s", login);
  return buffer;
}

static char *
iso (gint64 seconds)
{
  return zh_time_to_iso8601 (seconds);
}

/* The JSON of a mark row as a client sends it. */
static char *
mark_json (const char *id,
           const char *lesson,
           const char *student,
           const char *value,
           const char *work_type,
           gint64      entered_at)
{
  g_autofree char *at = iso (entered_at);

  return g_strdup_printf ("{\"id\":\"%s\",\"lesson_id\":\"%s\",\"student_id\":\"%s\",\"value\":\"%s\","
                          "\"work_type\":\"%s\",\"weight\":1,\"part\":0,\"comment\":\"\",\"state\":\"active\","
                          "\"entered_by\":null,\"entered_at\":\"%s\"}",
                          id, lesson, student, value, work_type, at);
}

static char *
attendance_json (const char *id,
                 const char *lesson,
                 const char *student,
                 const char *code,
                 gint64      entered_at)
{
  g_autofree char *at = iso (entered_at);

  return g_strdup_printf ("{\"id\":\"%s\",\"lesson_id\":\"%s\",\"student_id\":\"%s\",\"code\":\"%s\","
                          "\"comment\":\"\",\"entered_by\":null,\"entered_at\":\"%s\"}",
                          id, lesson, student, code, at);
}

static char *
period_mark_json (const char *id,
                  const char *student,
                  const char *period,
                  const char *value,
                  gint64      entered_at)
{
  g_autofree char *at = iso (entered_at);

  return g_strdup_printf ("{\"id\":\"%s\",\"student_id\":\"%s\",\"group_id\":\"" GROUP "\",\"kind\":\"period\","
                          "\"period_id\":\"%s\",\"value\":\"%s\",\"state\":\"active\",\"entered_by\":null,"
                          "\"entered_at\":\"%s\"}", id, student, period, value, at);
}

static char *
lesson_json (const char *id,
             const char *group,
             const char *date,
             int         number,
             const char *topic,
             const char *homework)
{
  return g_strdup_printf ("{\"id\":\"%s\",\"group_id\":\"%s\",\"date\":\"%s\",\"number\":%d,\"kind\":\"lesson\","
                          "\"topic\":\"%s\",\"homework\":\"%s\",\"plan_item_id\":null,\"teacher_id\":null,"
                          "\"substitute\":false}", id, group, date, number, topic, homework);
}

/* One operation; @op_id NULL makes a fresh one; @extra is appended inside the object. */
static char *
op_json (const char *op_id,
         const char *entity,
         const char *action,
         const char *id,
         gint64      base_rev,
         const char *value,
         const char *extra)
{
  g_autofree char *fresh = op_id == NULL ? zh_uuid_new () : NULL;

  return g_strdup_printf ("{\"op_id\":\"%s\",\"entity\":\"%s\",\"action\":\"%s\",\"id\":\"%s\","
                          "\"base_rev\":%" G_GINT64_FORMAT "%s%s%s}",
                          op_id != NULL ? op_id : fresh, entity, action, id, base_rev,
                          value != NULL ? ",\"value\":" : "", value != NULL ? value : "",
                          extra != NULL ? extra : "");
}

static ZhTestAnswer *
batch (ZhServerFixture    *fixture,
       const char *token,
       const char *operations)
{
  g_autofree char *body = g_strdup_printf ("{\"operations\":[%s]}", operations);

  return zh_test_post_json (fixture, "/api/v1/batch", token, body);
}

static JsonObject *
result_at (ZhTestAnswer *answer,
           guint   index)
{
  JsonArray *results;

  g_assert_cmpuint (answer->status, ==, SOUP_STATUS_OK);
  results = json_object_get_array_member (zh_test_object_of (answer), "results");
  g_assert_cmpuint (index, <, json_array_get_length (results));
  return json_array_get_object_element (results, index);
}

/* Check one result: @status, and for a refusal its @code, a message for people and the field. */
static gint64
check_result (JsonObject *result,
              const char *status,
              const char *code)
{
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, status);
  if (g_str_equal (status, "rejected"))
    {
      g_assert_cmpstr (json_object_get_string_member (result, "code"), ==, code);
      g_assert_cmpuint (strlen (json_object_get_string_member (result, "message")), >, 0);
      g_assert_true (json_object_has_member (result, "field"));
      return 0;
    }
  if (g_str_equal (status, "applied"))
    {
      g_assert_cmpint (json_object_get_int_member (result, "rev"), >, 0);
      return json_object_get_int_member (result, "rev");
    }
  g_assert_true (json_object_has_member (result, "current"));
  return 0;
}

/* Send one operation (taken) as @login and check its answer; returns the new rev when applied. */
static gint64
expect (ZhServerFixture    *fixture,
        const char *login,
        char       *operation,
        const char *status,
        const char *code)
{
  g_autofree char *op = operation;
  g_autoptr(ZhTestAnswer) answer = batch (fixture, token_of (login), op);
  JsonObject *result = result_at (answer, 0);

  if (g_strcmp0 (json_object_get_string_member (result, "status"), status) != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (result, "code", NULL), code) != 0)
    g_test_message ("as %s: %s → %s %s: %s", login, op, json_object_get_string_member (result, "status"),
                    json_object_get_string_member_with_default (result, "code", ""),
                    json_object_get_string_member_with_default (result, "message", ""));
  return check_result (result, status, code);
}

/* A number from the fixture's database, read on a connection of the test's own. */
static gint64
db_int (ZhServerFixture    *fixture,
        const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "zhurnal.sqlite", NULL);
  g_autoptr(ZhStore) store = zh_store_open (path, ZH_STORE_FLAGS_READ_ONLY, &error);
  sqlite3_stmt *stmt;
  gint64 value = -1;

  g_assert_no_error (error);
  stmt = zh_store_prepare (store, sql, &error);
  g_assert_no_error (error);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return value;
}

/* A digest of every row of every table: equal digests, equal databases. */
static char *
db_digest (ZhServerFixture *fixture)
{
  static const char * const tables[] = { "school", "academic_year", "period", "staff", "class", "student",
                                          "enrollment", "subject", "study_group", "group_member",
                                          "curriculum", "plan_item", "timetable_slot", "lesson", "mark",
                                          "attendance", "period_mark", "correction", "audit", "meta",
                                          "change", "op_log", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "zhurnal.sqlite", NULL);
  g_autoptr(ZhStore) store = zh_store_open (path, ZH_STORE_FLAGS_READ_ONLY, &error);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_assert_no_error (error);
  for (guint t = 0; tables[t] != NULL; t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s ORDER BY 1", tables[t]);
      sqlite3_stmt *stmt = zh_store_prepare (store, sql, &error);

      g_assert_no_error (error);
      g_checksum_update (checksum, (const guchar *) tables[t], -1);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count (stmt); c++)
          {
            const char *text = (const char *) sqlite3_column_text (stmt, c);

            g_checksum_update (checksum, (const guchar *) (text != NULL ? text : "\x01NULL"), -1);
            g_checksum_update (checksum, (const guchar *) "|", 1);
          }
      sqlite3_reset (stmt);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

static JsonObject *
get_object (ZhServerFixture    *fixture,
            const char *path,
            ZhTestAnswer    **keep)
{
  *keep = zh_test_call (fixture, "GET", path, "tok-admin");
  g_assert_cmpuint ((*keep)->status, ==, SOUP_STATUS_OK);
  return zh_test_object_of (*keep);
}

/* ---- the batch ----------------------------------------------------------------------------- */

/* An applied write: a new rev, the row as the service keeps it (weight from the work type,
 * author, time received), its entry in the changes feed and its audit entry (001 §6.3). */
static void
test_batch_applied_row_feed_and_audit (ZhServerFixture       *fixture,
                                       gconstpointer  data)
{
  g_autofree char *id = zh_uuid_new ();
  g_autofree char *value = mark_json (id, L_TODAY, S1, "5", "test", now_s);
  gint64 before = db_int (fixture, "SELECT value FROM meta WHERE key = 'last_rev'");
  g_autoptr(ZhTestAnswer) row = NULL;
  g_autoptr(ZhTestAnswer) feed = NULL;
  g_autoptr(ZhTestAnswer) history = NULL;
  g_autofree char *row_path = g_strdup_printf ("/api/v1/marks/%s", id);
  g_autofree char *feed_path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT, before);
  g_autofree char *audit_path = g_strdup_printf ("/api/v1/audit?entity=mark&id=%s", id);
  JsonObject *mark;
  JsonArray *changes;
  JsonObject *entry;
  gint64 rev;

  rev = expect (fixture, "teacher", op_json (NULL, "mark", "put", id, 0, value, NULL), "applied", NULL);
  g_assert_cmpint (rev, ==, before + 1);

  mark = get_object (fixture, row_path, &row);
  g_assert_cmpint (json_object_get_int_member (mark, "rev"), ==, rev);
  /* 002 §5.2: the weight is the work type's (a test weighs 2), whatever the client sent. */
  g_assert_cmpfloat (json_object_get_double_member (mark, "weight"), ==, 2.0);
  g_assert_cmpstr (json_object_get_string_member (mark, "entered_by"), ==, TEACHER);
  g_assert_false (json_object_get_null_member (mark, "received_at"));

  changes = json_object_get_array_member (get_object (fixture, feed_path, &feed), "changes");
  g_assert_cmpuint (json_array_get_length (changes), ==, 1);
  entry = json_array_get_object_element (changes, 0);
  g_assert_cmpint (json_object_get_int_member (entry, "rev"), ==, rev);
  g_assert_cmpstr (json_object_get_string_member (entry, "id"), ==, id);

  history = zh_test_call (fixture, "GET", audit_path, "tok-teacher");
  g_assert_cmpuint (history->status, ==, SOUP_STATUS_OK);
  entry = json_array_get_object_element (json_object_get_array_member (zh_test_object_of (history), "items"), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "action"), ==, "create");
  g_assert_cmpstr (json_object_get_string_member (entry, "staff_id"), ==, TEACHER);
  g_assert_true (json_object_get_null_member (entry, "before"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "after"), "value"), ==, "5");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (entry, "after"), "rev"), ==, rev);
}

/* At most once (DESIGN.md §3): the same batch sent again gets the very same answers and changes
 * nothing — no second row, no new rev, no second audit entry. */
static void
test_batch_same_batch_twice_changes_nothing (ZhServerFixture       *fixture,
                                             gconstpointer  data)
{
  g_autofree char *mark_id = zh_uuid_new ();
  g_autofree char *attendance_id = zh_uuid_new ();
  g_autofree char *mark = mark_json (mark_id, L_TODAY, S2, "4", "answer", now_s);
  g_autofree char *attendance = attendance_json (attendance_id, L_TODAY, S1, "absent", now_s);
  g_autofree char *bad = mark_json (mark_id, L_TODAY, S2, "9", "answer", now_s);
  g_autofree char *op1 = op_json (NULL, "mark", "put", mark_id, 0, mark, NULL);
  g_autofree char *op2 = op_json (NULL, "attendance", "put", attendance_id, 0, attendance, NULL);
  g_autofree char *op3 = op_json (NULL, "mark", "put", U ("2000000000ff"), 0, bad, NULL);
  g_autofree char *ops = g_strjoin (",", op1, op2, op3, NULL);
  g_autoptr(ZhTestAnswer) first = batch (fixture, "tok-teacher", ops);
  g_autofree char *first_text = json_to_string (first->json, FALSE);
  g_autofree char *digest = db_digest (fixture);
  g_autoptr(ZhTestAnswer) second = batch (fixture, "tok-teacher", ops);
  g_autofree char *second_text = json_to_string (second->json, FALSE);
  g_autofree char *digest_after = db_digest (fixture);

  check_result (result_at (first, 0), "applied", NULL);
  check_result (result_at (first, 1), "applied", NULL);
  check_result (result_at (first, 2), "rejected", "invalid_value");
  g_assert_cmpstr (first_text, ==, second_text);
  g_assert_cmpstr (digest, ==, digest_after);
  g_assert_cmpint (db_int (fixture, "SELECT count(*) FROM mark WHERE lesson_id = '" L_TODAY "'"), ==, 1);
}

/* base_rev (DESIGN.md §3): an edit of a row someone changed meanwhile is not written; the answer
 * is the service's row, so nobody silently overwrites another. */
static void
test_batch_stale_base_rev_conflicts (ZhServerFixture       *fixture,
                                     gconstpointer  data)
{
  gint64 rev = db_int (fixture, "SELECT rev FROM attendance WHERE id = '" A_YESTERDAY "'");
  g_autofree char *value = attendance_json (A_YESTERDAY, L_YESTERDAY, S2, "late", now_s);
  g_autofree char *fresh = zh_uuid_new ();
  g_autofree char *fresh_value = attendance_json (fresh, L_TODAY, S2, "late", now_s);
  g_autofree char *stale = op_json (NULL, "attendance", "put", A_YESTERDAY, rev - 1, value, NULL);
  g_autofree char *as_new = op_json (NULL, "attendance", "put", A_YESTERDAY, 0, value, NULL);
  g_autofree char *gone = op_json (NULL, "attendance", "put", fresh, 7, fresh_value, NULL);
  g_autofree char *ops = g_strjoin (",", stale, as_new, gone, NULL);
  g_autoptr(ZhTestAnswer) answer = batch (fixture, "tok-teacher", ops);
  JsonObject *current;

  for (guint i = 0; i < 3; i++)
    check_result (result_at (answer, i), "conflict", NULL);
  current = json_object_get_object_member (result_at (answer, 0), "current");
  g_assert_cmpint (json_object_get_int_member (current, "rev"), ==, rev);
  g_assert_cmpstr (json_object_get_string_member (current, "code"), ==, "absent");
  g_assert_true (json_object_get_null_member (result_at (answer, 2), "current"));
  g_assert_cmpint (db_int (fixture, "SELECT rev FROM attendance WHERE id = '" A_YESTERDAY "'"), ==, rev);

  /* With the right base_rev the same edit is applied. */
  expect (fixture, "teacher", op_json (NULL, "attendance", "put", A_YESTERDAY, rev, value, NULL), "applied", NULL);
  g_assert_cmpint (db_int (fixture, "SELECT count(*) FROM attendance WHERE id = '" A_YESTERDAY "' AND code = 'late'"), ==, 1);
}

/* One operation, one savepoint: a refused operation is undone alone; the others stay, and the
 * feed shows each applied row once with its rev. */
static void
test_batch_bad_op_does_not_undo_others (ZhServerFixture       *fixture,
                                        gconstpointer  data)
{
  g_autofree char *a = zh_uuid_new ();
  g_autofree char *b = zh_uuid_new ();
  g_autofree char *c = zh_uuid_new ();
  g_autofree char *va = mark_json (a, L_TODAY, S1, "4", "answer", now_s);
  g_autofree char *vb = mark_json (b, L_TODAY, S1, "7", "answer", now_s);
  g_autofree char *vc = attendance_json (c, L_TODAY, S2, "late", now_s);
  g_autofree char *oa = op_json (NULL, "mark", "put", a, 0, va, NULL);
  g_autofree char *ob = op_json (NULL, "mark", "put", b, 0, vb, NULL);
  g_autofree char *oc = op_json (NULL, "attendance", "put", c, 0, vc, NULL);
  g_autofree char *ops = g_strjoin (",", oa, ob, oc, NULL);
  gint64 before = db_int (fixture, "SELECT value FROM meta WHERE key = 'last_rev'");
  g_autoptr(ZhTestAnswer) answer = batch (fixture, "tok-teacher", ops);
  g_autoptr(ZhTestAnswer) feed = NULL;
  g_autofree char *feed_path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT, before);
  JsonArray *changes;

  g_assert_cmpint (check_result (result_at (answer, 0), "applied", NULL), ==, before + 1);
  check_result (result_at (answer, 1), "rejected", "unknown_mark_value");
  g_assert_cmpstr (json_object_get_string_member (result_at (answer, 1), "field"), ==, "value");
  g_assert_cmpint (check_result (result_at (answer, 2), "applied", NULL), ==, before + 2);
  g_assert_cmpint (db_int (fixture, "SELECT count(*) FROM mark WHERE lesson_id = '" L_TODAY "'"), ==, 1);

  changes = json_object_get_array_member (get_object (fixture, feed_path, &feed), "changes");
  g_assert_cmpuint (json_array_get_length (changes), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (changes, 0), "id"), ==, a);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (changes, 1), "id"), ==, c);
}

/* ---- who may write what -------------------------------------------------------------------- */

typedef enum
{
  W_MARK,            /* a mark in GROUP today (TEACHER's group) */
  W_MARK_SUB,        /* a mark in the lesson TEACHER2 substitutes */
  W_ABSENCE,         /* «н» in GROUP today */
  W_REASON,          /* «б» for a student of 5А (CLASS_TEACHER's class) */
  W_LESSON,          /* a new lesson of GROUP, no topic */
  W_PLAN_ITEM,       /* an item of GROUP's КТП */
  W_PERIOD_MARK,     /* a quarter mark in GROUP */
  W_STUDENT,         /* a student of the school */
  W_GROUP,           /* a group of 5А */
  W_STUDENT_FOREIGN, /* a student of the other school */
  W_CORRECTION,      /* a correction of a fresh mark */
} What;

static char *
make_operation (ZhServerFixture *fixture,
                What     what)
{
  g_autofree char *id = zh_uuid_new ();
  g_autofree char *value = NULL;

  switch (what)
    {
    case W_MARK:
      value = mark_json (id, L_TODAY, S1, "5", "answer", now_s);
      return op_json (NULL, "mark", "put", id, 0, value, NULL);
    case W_MARK_SUB:
      value = mark_json (id, L_SUB, S1, "5", "answer", now_s);
      return op_json (NULL, "mark", "put", id, 0, value, NULL);
    case W_ABSENCE:
      value = attendance_json (id, L_TODAY, S1, "absent", now_s);
      return op_json (NULL, "attendance", "put", id, 0, value, NULL);
    case W_REASON:
      value = attendance_json (id, L_TODAY, S2, "ill", now_s);
      return op_json (NULL, "attendance", "put", id, 0, value, NULL);
    case W_LESSON:
      {
        static int number = 4;

        value = lesson_json (id, GROUP, today, number++, "", "");
        return op_json (NULL, "lesson", "put", id, 0, value, NULL);
      }
    case W_PLAN_ITEM:
      {
        static int number = 1;

        value = g_strdup_printf ("{\"id\":\"%s\",\"group_id\":\"" GROUP "\",\"number\":%d,\"topic\":\"Дроби\","
                                 "\"hours\":2}", id, number++);
        return op_json (NULL, "plan_item", "put", id, 0, value, NULL);
      }
    case W_PERIOD_MARK:
      {
        /* A period mark per student and period: each case its own student. */
        g_autofree char *student = zh_uuid_new ();
        g_autofree char *sql = g_strdup_printf ("INSERT INTO student (id, school_id, last_name, first_name, "
                                                "birth_date, gender) VALUES ('%s', '" SCHOOL "', 'Новый', "
                                                "'Ученик', '2015-01-01', 'male')", student);
        g_autofree char *path = g_build_filename (fixture->dir, "zhurnal.sqlite", NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(ZhStore) store = zh_store_open (path, ZH_STORE_FLAGS_NONE, &error);

        g_assert_no_error (error);
        zh_store_exec (store, sql, &error);
        g_assert_no_error (error);
        value = period_mark_json (id, student, P_NOW, "5", now_s);
        return op_json (NULL, "period_mark", "put", id, 0, value, NULL);
      }
    case W_STUDENT:
    case W_STUDENT_FOREIGN:
      value = g_strdup_printf ("{\"id\":\"%s\",\"school_id\":\"%s\",\"last_name\":\"Новикова\","
                               "\"first_name\":\"Вера\",\"middle_name\":\"\",\"birth_date\":\"2015-04-04\","
                               "\"gender\":\"female\"}", id, what == W_STUDENT ? SCHOOL : OTHER_SCHOOL);
      return op_json (NULL, "student", "put", id, 0, value, NULL);
    case W_GROUP:
      {
        static int subgroup = 1;

        value = g_strdup_printf ("{\"id\":\"%s\",\"class_id\":\"" CLASS5 "\",\"subject_id\":\"" MATH "\","
                                 "\"subgroup\":%d,\"teacher_id\":\"" TEACHER "\"}", id, subgroup++);
        return op_json (NULL, "group", "put", id, 0, value, NULL);
      }
    case W_CORRECTION:
      {
        /* A fresh mark of TEACHER's, corrected to a 5. */
        g_autofree char *target = zh_uuid_new ();
        g_autofree char *target_value = mark_json (target, L_TODAY, S2, "2", "answer", now_s);
        gint64 rev = expect (fixture, "teacher", op_json (NULL, "mark", "put", target, 0, target_value, NULL),
                             "applied", NULL);

        value = mark_json (id, L_TODAY, S2, "5", "answer", now_s);
        return op_json (NULL, "mark", "correct", target, rev, value,
                        ",\"correction\":{\"reason\":\"appeal_upheld\",\"document\":\"Протокол № 3\"}");
      }
    default:
      g_assert_not_reached ();
    }
}

/* The matrix of REQUIREMENTS §1 and openapi.yaml ("Who may do what"): each write by each role, on
 * its own and on others' data. A refused operation is answered `rejected` with its reason inside
 * the batch's 200 (the other operations of the batch go on); a refused route is a 403. */
static void
test_authorisation_matrix (ZhServerFixture       *fixture,
                           gconstpointer  data)
{
  static const struct
  {
    What        what;
    const char *login;
    const char *status;
    const char *code;
  } cases[] = {
    /* Marks: the group's teacher (002 §5.2), the substitute in their lesson (001 §5.3). */
    { W_MARK, "teacher", "applied", NULL },
    { W_MARK, "teacher2", "rejected", "not_own_group" },
    { W_MARK, "classteacher", "rejected", "not_own_group" },
    { W_MARK, "admin", "rejected", "not_permitted" },
    { W_MARK, "deputy", "rejected", "not_permitted" },
    { W_MARK, "director", "rejected", "not_permitted" },
    { W_MARK, "other", "rejected", "forbidden" },
    { W_MARK_SUB, "teacher2", "applied", NULL },
    { W_MARK_SUB, "teacher", "applied", NULL },
    { W_MARK_SUB, "classteacher", "rejected", "not_own_group" },
    /* Absences by the lesson's teacher; reasons by the class teacher (002 §5.3, 004 §4.3.6). */
    { W_ABSENCE, "teacher", "applied", NULL },
    { W_ABSENCE, "classteacher", "rejected", "not_own_group" },
    { W_ABSENCE, "deputy", "rejected", "not_permitted" },
    { W_ABSENCE, "other", "rejected", "forbidden" },
    { W_REASON, "classteacher", "applied", NULL },
    { W_REASON, "teacher", "rejected", "not_own_class" },
    { W_REASON, "admin", "rejected", "not_own_class" },
    /* Lessons: the group's teacher; the administration arranges them (002 §5.4). */
    { W_LESSON, "teacher", "applied", NULL },
    { W_LESSON, "deputy", "applied", NULL },
    { W_LESSON, "teacher2", "rejected", "not_own_group" },
    { W_LESSON, "director", "rejected", "not_permitted" },
    { W_LESSON, "other", "rejected", "forbidden" },
    /* КТП: the group's teacher or the administrator (002 §5.2). */
    { W_PLAN_ITEM, "teacher", "applied", NULL },
    { W_PLAN_ITEM, "admin", "applied", NULL },
    { W_PLAN_ITEM, "teacher2", "rejected", "not_own_group" },
    { W_PLAN_ITEM, "deputy", "rejected", "not_own_group" },
    /* Period marks: the group's own teacher (000 §4.2.4). */
    { W_PERIOD_MARK, "teacher", "applied", NULL },
    { W_PERIOD_MARK, "teacher2", "rejected", "not_own_group" },
    { W_PERIOD_MARK, "deputy", "rejected", "not_permitted" },
    /* The school's lists: the administrator (000 §5.3, 004 §4.1). */
    { W_STUDENT, "admin", "applied", NULL },
    { W_STUDENT, "deputy", "rejected", "forbidden" },
    { W_STUDENT, "director", "rejected", "forbidden" },
    { W_STUDENT, "classteacher", "rejected", "forbidden" },
    { W_STUDENT, "teacher", "rejected", "forbidden" },
    { W_GROUP, "admin", "applied", NULL },
    { W_GROUP, "teacher", "rejected", "forbidden" },
    { W_STUDENT_FOREIGN, "admin", "rejected", "forbidden" },
    /* Corrections: the deputy and the administrator only (002 §7). */
    { W_CORRECTION, "deputy", "applied", NULL },
    { W_CORRECTION, "admin", "applied", NULL },
    { W_CORRECTION, "teacher", "rejected", "not_permitted" },
    { W_CORRECTION, "director", "rejected", "not_permitted" },
    { W_CORRECTION, "classteacher", "rejected", "not_permitted" },
  };
  const struct
  {
    const char *method;
    const char *path;
    const char *login;
    guint       status;
  } routes[] = {
    { "POST", "/api/v1/imports", "teacher", SOUP_STATUS_FORBIDDEN },
    { "POST", "/api/v1/imports", "deputy", SOUP_STATUS_FORBIDDEN },
    { "POST", "/api/v1/imports", "director", SOUP_STATUS_FORBIDDEN },
    { "POST", "/api/v1/imports", "classteacher", SOUP_STATUS_FORBIDDEN },
    { "POST", "/api/v1/imports", "admin", SOUP_STATUS_OK },
    { "GET", "/api/v1/audit", "teacher", SOUP_STATUS_FORBIDDEN },
    { "GET", "/api/v1/audit", "classteacher", SOUP_STATUS_FORBIDDEN },
    { "GET", "/api/v1/audit", "deputy", SOUP_STATUS_OK },
    { "GET", "/api/v1/audit", "director", SOUP_STATUS_OK },
    { "GET", "/api/v1/audit", "admin", SOUP_STATUS_OK },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %d as %s", i, cases[i].what, cases[i].login);
      expect (fixture, cases[i].login, make_operation (fixture, cases[i].what), cases[i].status, cases[i].code);
    }

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      g_autofree char *op_id = zh_uuid_new ();
      g_autofree char *body = g_strdup_printf ("{\"op_id\":\"%s\",\"students\":[]}", op_id);
      g_autoptr(ZhTestAnswer) answer = NULL;

      if (g_str_equal (routes[i].method, "POST"))
        answer = zh_test_post_json (fixture, routes[i].path, token_of (routes[i].login), body);
      else
        answer = zh_test_call (fixture, routes[i].method, routes[i].path, token_of (routes[i].login));
      g_test_message ("route %u: %s %s as %s", i, routes[i].method, routes[i].path, routes[i].login);
      if (routes[i].status == SOUP_STATUS_FORBIDDEN)
        {
          g_assert_cmpuint (answer->status, ==, SOUP_STATUS_FORBIDDEN);
          g_assert_cmpstr (json_object_get_string_member (zh_test_object_of (answer), "code"), ==, "forbidden");
        }
      else
        g_assert_cmpuint (answer->status, ==, routes[i].status);
    }

  /* Everyone reads only their school: the other school's teacher sees none of these rows. */
  {
    g_autoptr(ZhTestAnswer) foreign = zh_test_call (fixture, "GET", "/api/v1/marks/" M_OLD, "tok-other");

    zh_test_assert_error (foreign, SOUP_STATUS_NOT_FOUND, "not_found", NULL);
  }
}

/* ---- the school's rules, each refused with its reason -------------------------------------- */

static void
test_policy_rules_refused_with_reason (ZhServerFixture       *fixture,
                                       gconstpointer  data)
{
  gint64 m_old_rev = db_int (fixture, "SELECT rev FROM mark WHERE id = '" M_OLD "'");
  gint64 m_sub_rev = db_int (fixture, "SELECT rev FROM mark WHERE id = '" M_SUB "'");
  gint64 pm_rev = db_int (fixture, "SELECT rev FROM period_mark WHERE id = '" PM_PAST "'");
  gint64 yesterday_rev = db_int (fixture, "SELECT rev FROM lesson WHERE id = '" L_YESTERDAY "'");
  g_autofree char *id = NULL;
  g_autofree char *value = NULL;
  gint64 rev;

#define NEW_MARK(lesson, student, v, type, at) \
  (g_free (id), id = zh_uuid_new (), g_free (value), value = mark_json (id, lesson, student, v, type, at), \
   op_json (NULL, "mark", "put", id, 0, value, NULL))

  /* 000 §3.11: no marks in grade 1; 004 §3.9 likewise no homework. */
  expect (fixture, "teacher", NEW_MARK (L_G1, S3, "5", "answer", now_s), "rejected", "marks_not_allowed");
  g_free (value);
  value = lesson_json (L_G1, GROUP1, today, 1, "Счёт до 10", "Прописи");
  expect (fixture, "teacher", op_json (NULL, "lesson", "put", L_G1,
                                       db_int (fixture, "SELECT rev FROM lesson WHERE id = '" L_G1 "'"), value, NULL),
          "rejected", "homework_not_allowed");
  /* 002 §5.2, 004 §5.3: «освобождён» is not a record. */
  expect (fixture, "teacher", NEW_MARK (L_TODAY, S1, "освобождён", "answer", now_s), "rejected", "exempt_forbidden");
  /* 002 §5.2: a mark of the school's scale, a form of control of the school. */
  expect (fixture, "teacher", NEW_MARK (L_TODAY, S1, "6", "answer", now_s), "rejected", "unknown_mark_value");
  expect (fixture, "teacher", NEW_MARK (L_TODAY, S1, "5", "dance", now_s), "rejected", "unknown_work_type");
  /* 004 §3.6: nothing changes more than 14 days after the lesson. */
  expect (fixture, "teacher", NEW_MARK (L_OLD, S1, "5", "answer", now_s), "rejected", "edit_window_closed");
  /* 000 §4.2.1 "по факту": no marks for a lesson still to come. */
  expect (fixture, "teacher", NEW_MARK (L_FUTURE, S1, "5", "answer", now_s), "rejected", "lesson_in_future");
  /* DESIGN.md §4: the time of entry may not run ahead of the service's clock. */
  expect (fixture, "teacher", NEW_MARK (L_TODAY, S1, "5", "answer", now_s + 3600), "rejected", "invalid_value");
  /* 004 §4.4.11: a page lists its members only. */
  expect (fixture, "teacher", NEW_MARK (L_TODAY, S_OUT, "5", "answer", now_s), "rejected", "not_in_group");

  /* 002 §5.2: homework is not added to a lesson already past. */
  g_free (value);
  value = lesson_json (L_YESTERDAY, GROUP, yesterday, 1, "", "№ 12");
  expect (fixture, "teacher", op_json (NULL, "lesson", "put", L_YESTERDAY, yesterday_rev, value, NULL),
          "rejected", "homework_past_lesson");
  /* … while a topic for yesterday is still within the window. */
  g_free (value);
  value = lesson_json (L_YESTERDAY, GROUP, yesterday, 1, "Дроби", "");
  expect (fixture, "teacher", op_json (NULL, "lesson", "put", L_YESTERDAY, yesterday_rev, value, NULL),
          "applied", NULL);

  /* 002 §5.2: a mark already entered is neither deleted nor changed … */
  expect (fixture, "teacher", op_json (NULL, "mark", "delete", M_OLD, m_old_rev, NULL, NULL), "rejected", "mark_locked");
  g_free (value);
  value = mark_json (M_OLD, L_YESTERDAY, S1, "4", "answer", now_s);
  expect (fixture, "teacher", op_json (NULL, "mark", "put", M_OLD, m_old_rev, value, NULL), "rejected", "mark_locked");
  /* … and another teacher's mark not even within the undo grace. */
  g_free (value);
  value = mark_json (M_SUB, L_SUB, S2, "5", "answer", now_s);
  expect (fixture, "teacher", op_json (NULL, "mark", "put", M_SUB, m_sub_rev, value, NULL), "rejected", "mark_locked");
  /* The undo grace (docs/policy.md): the author takes back a mark just entered. */
  rev = expect (fixture, "teacher", NEW_MARK (L_TODAY, S1, "2", "answer", now_s), "applied", NULL);
  expect (fixture, "teacher", op_json (NULL, "mark", "delete", id, rev, NULL, NULL), "applied", NULL);
  g_assert_cmpint (db_int (fixture, "SELECT count(*) FROM change WHERE deleted = 1"), ==, 1);

  /* 004 §5.3: «н/а» is not a period mark; 000 §4.2.4: period marks close 3 days after the period. */
  g_free (id);
  id = zh_uuid_new ();
  g_free (value);
  value = period_mark_json (id, S2, P_NOW, "н/а", now_s);
  expect (fixture, "teacher", op_json (NULL, "period_mark", "put", id, 0, value, NULL), "rejected",
          "not_assessed_forbidden");
  g_free (value);
  value = period_mark_json (id, S2, P_PAST, "4", now_s);
  expect (fixture, "teacher", op_json (NULL, "period_mark", "put", id, 0, value, NULL), "rejected",
          "period_marks_closed");
  g_free (value);
  value = period_mark_json (PM_PAST, S1, P_PAST, "5", now_s);
  expect (fixture, "teacher", op_json (NULL, "period_mark", "put", PM_PAST, pm_rev, value, NULL), "rejected",
          "period_marks_closed");

  /* 002 §7: a correction needs one of the five reasons and a document. */
  g_free (id);
  id = zh_uuid_new ();
  g_free (value);
  value = mark_json (id, L_YESTERDAY, S1, "4", "answer", now_s);
  expect (fixture, "deputy", op_json (NULL, "mark", "correct", M_OLD, m_old_rev, value,
                                      ",\"correction\":{\"reason\":\"appeal_upheld\",\"document\":\"  \"}"),
          "rejected", "correction_document_missing");
  expect (fixture, "deputy", op_json (NULL, "mark", "correct", M_OLD, m_old_rev, value,
                                      ",\"correction\":{\"document\":\"Протокол № 2\"}"),
          "rejected", "correction_reason_invalid");
  expect (fixture, "deputy", op_json (NULL, "mark", "correct", M_OLD, m_old_rev, value,
                                      ",\"correction\":{\"reason\":\"because\",\"document\":\"Протокол № 2\"}"),
          "rejected", "correction_reason_invalid");
  /* A correction's new value obeys the scale too (002 §5.2). */
  g_free (value);
  value = mark_json (id, L_YESTERDAY, S1, "освобождён", "answer", now_s);
  expect (fixture, "deputy", op_json (NULL, "mark", "correct", M_OLD, m_old_rev, value,
                                      ",\"correction\":{\"reason\":\"debt_cleared\",\"document\":\"Заявление\"}"),
          "rejected", "exempt_forbidden");
  g_assert_cmpint (db_int (fixture, "SELECT count(*) FROM correction"), ==, 0);
#undef NEW_MARK
}

/* 002 §7, REQUIREMENTS §4: the corrected mark stays, marked 'corrected' and left out of averages;
 * a new mark in the same cell holds the new value; the correction row keeps old and new value,
 * reason, document, who and when; the audit log has it all. */
static void
test_correction_keeps_old_value (ZhServerFixture       *fixture,
                                 gconstpointer  data)
{
  gint64 rev = db_int (fixture, "SELECT rev FROM mark WHERE id = '" M_OLD "'");
  g_autofree char *op_id = zh_uuid_new ();
  g_autofree char *id = zh_uuid_new ();
  g_autofree char *value = mark_json (id, L_YESTERDAY, S1, "5", "answer", now_s - 3600);
  g_autofree char *correction_path = g_strdup_printf ("/api/v1/corrections/%s", op_id);
  g_autofree char *new_path = g_strdup_printf ("/api/v1/marks/%s", id);
  g_autoptr(ZhTestAnswer) old_answer = NULL;
  g_autoptr(ZhTestAnswer) new_answer = NULL;
  g_autoptr(ZhTestAnswer) correction_answer = NULL;
  g_autoptr(ZhTestAnswer) history = NULL;
  JsonObject *old_mark, *new_mark, *correction, *entry;
  JsonArray *items;
  gint64 applied;

  applied = expect (fixture, "deputy",
                    op_json (op_id, "mark", "correct", M_OLD, rev, value,
                             ",\"correction\":{\"reason\":\"appeal_upheld\",\"document\":\"Протокол № 3 от 12.11\"}"),
                    "applied", NULL);

  old_mark = get_object (fixture, "/api/v1/marks/" M_OLD, &old_answer);
  g_assert_cmpstr (json_object_get_string_member (old_mark, "state"), ==, "corrected");
  g_assert_cmpstr (json_object_get_string_member (old_mark, "value"), ==, "3");
  g_assert_cmpint (json_object_get_int_member (old_mark, "rev"), ==, applied);

  new_mark = get_object (fixture, new_path, &new_answer);
  g_assert_cmpstr (json_object_get_string_member (new_mark, "state"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (new_mark, "value"), ==, "5");
  g_assert_cmpstr (json_object_get_string_member (new_mark, "entered_by"), ==, DEPUTY);

  correction = get_object (fixture, correction_path, &correction_answer);
  g_assert_cmpstr (json_object_get_string_member (correction, "target_id"), ==, M_OLD);
  g_assert_cmpstr (json_object_get_string_member (correction, "old_value"), ==, "3");
  g_assert_cmpstr (json_object_get_string_member (correction, "new_value"), ==, "5");
  g_assert_cmpstr (json_object_get_string_member (correction, "reason"), ==, "appeal_upheld");
  g_assert_cmpstr (json_object_get_string_member (correction, "document"), ==, "Протокол № 3 от 12.11");
  g_assert_cmpstr (json_object_get_string_member (correction, "authorised_by"), ==, DEPUTY);

  history = zh_test_call (fixture, "GET", "/api/v1/audit?entity=mark&id=" M_OLD, "tok-teacher");
  items = json_object_get_array_member (zh_test_object_of (history), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  entry = json_array_get_object_element (items, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "action"), ==, "correct");
  g_assert_cmpstr (json_object_get_string_member (entry, "staff_id"), ==, DEPUTY);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "before"), "state"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "after"), "state"), ==, "corrected");

  /* A corrected mark is corrected once; the teacher cannot touch it either. */
  g_free (id);
  id = zh_uuid_new ();
  g_free (value);
  value = mark_json (id, L_YESTERDAY, S1, "4", "answer", now_s);
  expect (fixture, "admin", op_json (NULL, "mark", "correct", M_OLD, applied, value,
                                     ",\"correction\":{\"reason\":\"reattestation\",\"document\":\"Протокол № 4\"}"),
          "rejected", "already_corrected");
}

/* ---- malformed batches --------------------------------------------------------------------- */

static void
test_malformed_batches (ZhServerFixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *good = zh_uuid_new ();
  g_autofree char *good_value = mark_json (good, L_TODAY, S1, "5", "answer", now_s);
  g_autoptr(GString) many = g_string_new ("{\"operations\":[");
  g_autofree char *many_text = NULL;
  const struct
  {
    const char *body;
    guint       status;
    const char *code;
    const char *field;
  } cases[] = {
    { "{", 400, "invalid_json", NULL },
    { "[]", 400, "wrong_type", NULL },
    { "{}", 400, "missing_field", "operations" },
    { "{\"operations\":{}}", 400, "wrong_type", "operations" },
    { "{\"operations\":[]}", 400, "invalid_value", "operations" },
    { "{\"operations\":[],\"extra\":1}", 400, "unknown_field", "extra" },
    { "{\"operations\":[1]}", 400, "wrong_type", "operations[0].op_id" },
    { "{\"operations\":[{\"entity\":\"mark\",\"action\":\"put\",\"id\":\"" U ("2000000000aa") "\",\"base_rev\":0,\"value\":{}}]}",
      400, "missing_field", "operations[0].op_id" },
    { "{\"operations\":[{\"op_id\":\"not-a-uuid\",\"entity\":\"mark\",\"action\":\"put\",\"id\":\"" U ("2000000000aa") "\",\"base_rev\":0,\"value\":{}}]}",
      400, "invalid_value", "operations[0].op_id" },
    { "{\"operations\":[{\"op_id\":\"" U ("7000000000aa") "\",\"entity\":\"mark\",\"action\":\"upsert\",\"id\":\"" U ("2000000000aa") "\",\"base_rev\":0,\"value\":{}}]}",
      400, "invalid_value", "operations[0].action" },
    { "{\"operations\":[{\"op_id\":\"" U ("7000000000aa") "\",\"entity\":\"mark\",\"action\":\"put\",\"id\":\"" U ("2000000000aa") "\",\"base_rev\":-1,\"value\":{}}]}",
      400, "invalid_value", "operations[0].base_rev" },
    { "{\"operations\":[{\"op_id\":\"" U ("7000000000aa") "\",\"entity\":\"mark\",\"action\":\"put\",\"id\":\"" U ("2000000000aa") "\",\"base_rev\":\"0\",\"value\":{}}]}",
      400, "invalid_value", "operations[0].base_rev" },
    { "{\"operations\":[{\"op_id\":\"" U ("7000000000aa") "\",\"entity\":\"mark\",\"action\":\"put\",\"id\":\"" U ("2000000000aa") "\",\"base_rev\":0}]}",
      400, "missing_field", "operations[0].value" },
    { "{\"operations\":[{\"op_id\":\"" U ("7000000000aa") "\",\"entity\":\"mark\",\"action\":\"delete\",\"id\":\"" U ("2000000000aa") "\",\"base_rev\":1,\"value\":{}}]}",
      400, "unknown_field", "operations[0].value" },
    { "{\"operations\":[{\"op_id\":\"" U ("7000000000aa") "\",\"entity\":\"mark\",\"action\":\"correct\",\"id\":\"" U ("2000000000aa") "\",\"base_rev\":1,\"value\":{}}]}",
      400, "missing_field", "operations[0].correction" },
    { "{\"operations\":[{\"op_id\":\"" U ("7000000000aa") "\",\"entity\":\"mark\",\"action\":\"put\",\"id\":\"" U ("2000000000aa") "\",\"base_rev\":0,\"value\":{},\"x\":1}]}",
      400, "unknown_field", "operations[0].x" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ZhTestAnswer) answer = NULL;
      g_autoptr(ZhTestAnswer) status = NULL;

      g_test_message ("case %u: %s", i, cases[i].body);
      answer = zh_test_post_json (fixture, "/api/v1/batch", "tok-teacher", cases[i].body);
      zh_test_assert_error (answer, cases[i].status, cases[i].code, cases[i].field);
      status = zh_test_call (fixture, "GET", "/api/v1/status", NULL);
      g_assert_cmpuint (status->status, ==, SOUP_STATUS_OK);
    }

  /* 501 operations: too many, nothing applied. */
  for (guint i = 0; i < 501; i++)
    {
      g_autofree char *op = op_json (NULL, "mark", "put", good, 0, good_value, NULL);

      g_string_append_printf (many, "%s%s", i > 0 ? "," : "", op);
    }
  g_string_append (many, "]}");
  many_text = g_string_free (g_steal_pointer (&many), FALSE);
  {
    g_autoptr(ZhTestAnswer) answer = zh_test_post_json (fixture, "/api/v1/batch", "tok-teacher", many_text);

    zh_test_assert_error (answer, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", "operations");
  }

  /* Inside a well-formed batch: an unknown entity, a row with an unknown member, a row of the
   * wrong type, an id that differs, and the same op_id twice (the second gets the first's
   * answer: at most once holds within a batch too). */
  {
    g_autofree char *dup = zh_uuid_new ();
    g_autofree char *other = zh_uuid_new ();
    g_autofree char *o1 = op_json (NULL, "homework_club", "put", good, 0, "{}", NULL);
    g_autofree char *o2 = op_json (NULL, "mark", "put", good, 0,
                                   "{\"id\":\"x\",\"lesson_id\":\"y\",\"flavour\":\"sweet\"}", NULL);
    g_autofree char *bad_type = g_strdup_printf ("{\"id\":\"%s\",\"lesson_id\":\"" L_TODAY "\",\"student_id\":\"" S1 "\","
                                                 "\"value\":5,\"work_type\":\"oral\",\"weight\":1,\"entered_at\":\"%s\"}",
                                                 good, "2026-01-01T00:00:00Z");
    g_autofree char *o3 = op_json (NULL, "mark", "put", good, 0, bad_type, NULL);
    g_autofree char *o4 = op_json (NULL, "mark", "put", other, 0, good_value, NULL);
    g_autofree char *o5 = op_json (dup, "mark", "put", good, 0, good_value, NULL);
    g_autofree char *o6 = op_json (dup, "mark", "put", good, 0, good_value, NULL);
    g_autofree char *ops = g_strjoin (",", o1, o2, o3, o4, o5, o6, NULL);
    g_autoptr(ZhTestAnswer) answer = batch (fixture, "tok-teacher", ops);
    g_autofree char *fifth = json_to_string (json_array_get_element (json_object_get_array_member (zh_test_object_of (answer), "results"), 4), FALSE);
    g_autofree char *sixth = json_to_string (json_array_get_element (json_object_get_array_member (zh_test_object_of (answer), "results"), 5), FALSE);

    check_result (result_at (answer, 0), "rejected", "unknown_entity");
    g_assert_cmpstr (json_object_get_string_member (result_at (answer, 0), "field"), ==, "entity");
    check_result (result_at (answer, 1), "rejected", "unknown_field");
    g_assert_cmpstr (json_object_get_string_member (result_at (answer, 1), "field"), ==, "flavour");
    check_result (result_at (answer, 2), "rejected", "wrong_type");
    g_assert_cmpstr (json_object_get_string_member (result_at (answer, 2), "field"), ==, "value");
    check_result (result_at (answer, 3), "rejected", "invalid_value");
    g_assert_cmpstr (json_object_get_string_member (result_at (answer, 3), "field"), ==, "id");
    check_result (result_at (answer, 4), "applied", NULL);
    g_assert_cmpstr (fifth, ==, sixth);
    g_assert_cmpint (db_int (fixture, "SELECT count(*) FROM mark WHERE lesson_id = '" L_TODAY "'"), ==, 1);
  }

  /* Someone else's op_id is not answered with their answer. */
  {
    g_autofree char *op_id = zh_uuid_new ();
    g_autofree char *id = zh_uuid_new ();
    g_autofree char *v = mark_json (id, L_SUB, S1, "4", "answer", now_s);

    expect (fixture, "teacher", op_json (op_id, "mark", "put", id, 0, v, NULL), "applied", NULL);
    expect (fixture, "teacher2", op_json (op_id, "mark", "put", id, 0, v, NULL), "rejected", "duplicate_op_id");
  }
}

/* ---- imports ------------------------------------------------------------------------------- */

#define IMPORT_PLAN(op_id, birth, member_group) \
  "{\"op_id\":\"" op_id "\"," \
  "\"students\":[{\"id\":\"" U ("e20000000001") "\",\"school_id\":\"" SCHOOL "\",\"last_name\":\"Орлова\"," \
  "\"first_name\":\"Дарья\",\"birth_date\":\"2015-06-01\",\"gender\":\"female\"}," \
  "{\"id\":\"" U ("e20000000002") "\",\"school_id\":\"" SCHOOL "\",\"last_name\":\"Соколов\"," \
  "\"first_name\":\"Илья\",\"birth_date\":\"" birth "\",\"gender\":\"male\"}]," \
  "\"enrollments\":[{\"id\":\"" U ("e30000000001") "\",\"student_id\":\"" U ("e20000000001") "\"," \
  "\"class_id\":\"" CLASS5 "\",\"date_from\":\"2026-09-01\",\"reason\":\"arrival\"}," \
  "{\"id\":\"" U ("e30000000002") "\",\"student_id\":\"" U ("e20000000002") "\"," \
  "\"class_id\":\"" CLASS5 "\",\"date_from\":\"2026-09-01\",\"reason\":\"arrival\"}]," \
  "\"groups\":[{\"id\":\"" U ("f10000000009") "\",\"class_id\":\"" CLASS5 "\",\"subject_id\":\"" MATH "\"," \
  "\"subgroup\":2,\"teacher_id\":\"" TEACHER "\"}]," \
  "\"group_members\":[{\"id\":\"" U ("f20000000009") "\",\"group_id\":\"" member_group "\"," \
  "\"student_id\":\"" U ("e20000000001") "\",\"date_from\":\"2026-09-01\"}," \
  "{\"id\":\"" U ("f20000000010") "\",\"group_id\":\"" U ("f10000000009") "\"," \
  "\"student_id\":\"" U ("e20000000002") "\",\"date_from\":\"2026-09-01\"}]}"

/* A class-list plan (000 §3.3) is applied in one transaction, each row with a rev and an audit
 * entry 'import'; sent again it is not applied twice. */
static void
test_import_good_plan (ZhServerFixture       *fixture,
                       gconstpointer  data)
{
  const char *plan = IMPORT_PLAN (U ("7000000000b1"), "2015-07-07", U ("f10000000009"));
  g_autoptr(ZhTestAnswer) answer = zh_test_post_json (fixture, "/api/v1/imports", "tok-admin", plan);
  g_autoptr(ZhTestAnswer) again = NULL;
  g_autoptr(ZhTestAnswer) students = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *digest_after = NULL;
  JsonObject *counts;

  g_assert_cmpuint (answer->status, ==, SOUP_STATUS_OK);
  counts = json_object_get_object_member (zh_test_object_of (answer), "counts");
  g_assert_cmpint (json_object_get_int_member (counts, "students"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (counts, "enrollments"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (counts, "groups"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (counts, "group_members"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (zh_test_object_of (answer), "rev"), ==,
                   db_int (fixture, "SELECT value FROM meta WHERE key = 'last_rev'"));
  g_assert_cmpint (db_int (fixture, "SELECT count(*) FROM audit WHERE action = 'import' AND staff_id = '" ADMIN "'"), ==, 7);
  g_assert_cmpint (db_int (fixture, "SELECT count(*) FROM change WHERE entity_id = '" U ("e20000000002") "'"), ==, 1);

  students = zh_test_call (fixture, "GET", "/api/v1/students?class=" CLASS5, "tok-teacher");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (zh_test_object_of (students), "items")), ==, 5);

  digest = db_digest (fixture);
  again = zh_test_post_json (fixture, "/api/v1/imports", "tok-admin", plan);
  digest_after = db_digest (fixture);
  first = json_to_string (answer->json, FALSE);
  second = json_to_string (again->json, FALSE);
  g_assert_cmpstr (first, ==, second);
  g_assert_cmpstr (digest, ==, digest_after);
}

/* All or nothing: two bad rows (a birth date that is no date, a member of a group that exists
 * nowhere) refuse the whole plan with 422 naming both, and the database is as it was. */
static void
test_import_bad_rows_store_nothing (ZhServerFixture       *fixture,
                                   gconstpointer  data)
{
  const char *plan = IMPORT_PLAN (U ("7000000000b2"), "2015-02-30", U ("f100000000ee"));
  g_autofree char *digest = db_digest (fixture);
  g_autoptr(ZhTestAnswer) answer = zh_test_post_json (fixture, "/api/v1/imports", "tok-admin", plan);
  g_autofree char *digest_after = db_digest (fixture);
  JsonObject *object = zh_test_object_of (answer);
  JsonArray *rejected;
  JsonObject *row;

  g_assert_cmpuint (answer->status, ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_assert_cmpstr (json_object_get_string_member (object, "code"), ==, "invalid_rows");
  g_assert_cmpstr (json_object_get_string_member (object, "field"), ==, "students[1].birth_date");
  rejected = json_object_get_array_member (object, "rejected");
  /* The second student is missing, so its enrollment and membership are refused as well. */
  g_assert_cmpuint (json_array_get_length (rejected), ==, 4);
  row = json_array_get_object_element (rejected, 0);
  g_assert_cmpstr (json_object_get_string_member (row, "entity"), ==, "students");
  g_assert_cmpint (json_object_get_int_member (row, "index"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (row, "code"), ==, "invalid_value");
  row = json_array_get_object_element (rejected, 2);
  g_assert_cmpstr (json_object_get_string_member (row, "entity"), ==, "group_members");
  g_assert_cmpint (json_object_get_int_member (row, "index"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (row, "field"), ==, "group_id");
  g_assert_cmpstr (json_object_get_string_member (row, "code"), ==, "not_found");
  g_assert_cmpstr (digest, ==, digest_after);
}

/* ---- the journal page's ETag under writes -------------------------------------------------- */

/* An unchanged page is answered 304 (from memory while nothing is written), but never after a
 * write to one of its rows: each such write gives the page a new tag and the client the page. */
static void
test_journal_never_stale_304 (ZhServerFixture       *fixture,
                              gconstpointer  data)
{
  const char *path = "/api/v1/journal?group=" GROUP "&period=" P_NOW;
  g_autoptr(ZhTestAnswer) first = zh_test_call (fixture, "GET", path, "tok-teacher");
  g_autofree char *etag = g_strdup (first->etag);

  g_assert_cmpuint (first->status, ==, SOUP_STATUS_OK);
  for (guint round = 0; round < 10; round++)
    {
      g_autofree char *id = zh_uuid_new ();
      g_autofree char *value = mark_json (id, L_TODAY, round % 2 == 0 ? S1 : S2, "4", "answer", now_s);
      g_autofree char *plan = zh_uuid_new ();
      g_autofree char *plan_value = g_strdup_printf ("{\"id\":\"%s\",\"group_id\":\"" GROUP2 "\","
                                                     "\"number\":%u,\"topic\":\"Диктант\"}", plan, round + 1);
      g_autoptr(ZhTestAnswer) same = NULL;
      g_autoptr(ZhTestAnswer) again = NULL;
      g_autoptr(ZhTestAnswer) elsewhere = NULL;
      g_autoptr(ZhTestAnswer) changed = NULL;
      g_autoptr(ZhTestAnswer) current = NULL;

      /* Unchanged: 304, twice (the second from memory). */
      same = zh_test_call_full (fixture, "GET", path, "tok-teacher", NULL, NULL, 0, etag);
      g_assert_cmpuint (same->status, ==, SOUP_STATUS_NOT_MODIFIED);
      g_assert_cmpstr (same->etag, ==, etag);
      again = zh_test_call_full (fixture, "GET", path, "tok-classteacher", NULL, NULL, 0, etag);
      g_assert_cmpuint (again->status, ==, SOUP_STATUS_NOT_MODIFIED);

      /* A write elsewhere: the page is still the same page. */
      expect (fixture, "teacher2", op_json (NULL, "plan_item", "put", plan, 0, plan_value, NULL), "applied", NULL);
      elsewhere = zh_test_call_full (fixture, "GET", path, "tok-teacher", NULL, NULL, 0, etag);
      g_assert_cmpuint (elsewhere->status, ==, SOUP_STATUS_NOT_MODIFIED);

      /* A write to the page: a new tag and the new row, at once. */
      expect (fixture, "teacher", op_json (NULL, "mark", "put", id, 0, value, NULL), "applied", NULL);
      changed = zh_test_call_full (fixture, "GET", path, "tok-teacher", NULL, NULL, 0, etag);
      g_assert_cmpuint (changed->status, ==, SOUP_STATUS_OK);
      g_assert_cmpstr (changed->etag, !=, etag);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (zh_test_object_of (changed), "marks")), ==, round + 3);
      g_free (etag);
      etag = g_strdup (changed->etag);
      current = zh_test_call_full (fixture, "GET", path, "tok-teacher", NULL, NULL, 0, etag);
      g_assert_cmpuint (current->status, ==, SOUP_STATUS_NOT_MODIFIED);
    }
}

/* A lesson's row with its topic linked to @plan_item (NULL: none), the topic entered at
 * @entered_at. */
static char *
planned_lesson_json (const char *id,
                     const char *date,
                     const char *topic,
                     const char *plan_item,
                     gint64      entered_at)
{
  g_autofree char *at = iso (entered_at);
  g_autofree char *link = plan_item != NULL ? g_strdup_printf ("\"%s\"", plan_item) : g_strdup ("null");

  return g_strdup_printf ("{\"id\":\"%s\",\"group_id\":\"" GROUP "\",\"date\":\"%s\",\"number\":1,"
                          "\"kind\":\"lesson\",\"topic\":\"%s\",\"homework\":\"\",\"plan_item_id\":%s,"
                          "\"teacher_id\":\"" TEACHER "\",\"substitute\":false,\"topic_entered_at\":\"%s\"}",
                          id, date, topic, link, at);
}

#define PLAN_OWN U ("700000000001")     /* in GROUP's plan */
#define PLAN_OTHER U ("700000000002")   /* in GROUP2's plan */

/* REQUIREMENTS §2 (000 §3.5.4, 004 §4.4.7: lesson topics follow the КТП) and §6 (003 §3: the
 * hours given against the plan): a lesson is linked to an item of its own group's plan; an item
 * of another group's plan, or one that does not exist, is refused naming "plan_item_id". The
 * link a new topic brings is judged with the topic, at the time it was entered (DESIGN.md §4). */
static void
test_lesson_plan_item_of_own_group (ZhServerFixture *fixture,
                                    gconstpointer    data)
{
  g_autofree char *value = NULL;
  g_autofree char *op = NULL;
  g_autoptr(ZhTestAnswer) answer = NULL;
  JsonObject *result;
  gint64 rev;

  expect (fixture, "teacher", op_json (NULL, "plan_item", "put", PLAN_OWN, 0,
                                       "{\"id\":\"" PLAN_OWN "\",\"group_id\":\"" GROUP "\","
                                       "\"number\":1,\"topic\":\"Дроби\",\"hours\":2}", NULL),
          "applied", NULL);
  expect (fixture, "teacher2", op_json (NULL, "plan_item", "put", PLAN_OTHER, 0,
                                        "{\"id\":\"" PLAN_OTHER "\",\"group_id\":\"" GROUP2 "\","
                                        "\"number\":1,\"topic\":\"Причастие\",\"hours\":1}", NULL),
          "applied", NULL);

  /* Another group's plan item: refused, the lesson unchanged. */
  rev = db_int (fixture, "SELECT rev FROM lesson WHERE id = '" L_TODAY "'");
  value = planned_lesson_json (L_TODAY, today, "Причастие", PLAN_OTHER, now_s);
  op = op_json (NULL, "lesson", "put", L_TODAY, rev, value, NULL);
  answer = batch (fixture, "tok-teacher", op);
  result = result_at (answer, 0);
  check_result (result, "rejected", "invalid_value");
  g_assert_cmpstr (json_object_get_string_member (result, "field"), ==, "plan_item_id");
  g_assert_nonnull (strstr (json_object_get_string_member (result, "message"), "plan_item_id"));
  g_assert_cmpint (db_int (fixture, "SELECT count(*) FROM lesson WHERE id = '" L_TODAY "' "
                                    "AND plan_item_id IS NULL AND topic = ''"), ==, 1);
  g_clear_pointer (&answer, zh_test_answer_free);

  /* A plan item that does not exist. */
  g_free (value);
  value = planned_lesson_json (L_TODAY, today, "Дроби", U ("7000000000ff"), now_s);
  g_free (op);
  op = op_json (NULL, "lesson", "put", L_TODAY, rev, value, NULL);
  answer = batch (fixture, "tok-teacher", op);
  result = result_at (answer, 0);
  check_result (result, "rejected", "not_found");
  g_assert_cmpstr (json_object_get_string_member (result, "field"), ==, "plan_item_id");

  /* The group's own: kept. */
  g_free (value);
  value = planned_lesson_json (L_TODAY, today, "Дроби", PLAN_OWN, now_s);
  expect (fixture, "teacher", op_json (NULL, "lesson", "put", L_TODAY, rev, value, NULL), "applied", NULL);
  g_assert_cmpint (db_int (fixture, "SELECT count(*) FROM lesson WHERE id = '" L_TODAY "' "
                                    "AND plan_item_id = '" PLAN_OWN "'"), ==, 1);

  /* 004 §3.6: a topic entered 10 days ago for the lesson of 20 days ago was in time, and so is
   * the plan item it brings, though the lesson itself is past the edit window now. */
  g_free (value);
  value = planned_lesson_json (L_OLD, days_ago_20, "Дроби", PLAN_OWN, now_s - 10 * 86400);
  rev = db_int (fixture, "SELECT rev FROM lesson WHERE id = '" L_OLD "'");
  expect (fixture, "teacher", op_json (NULL, "lesson", "put", L_OLD, rev, value, NULL), "applied", NULL);
  g_assert_cmpint (db_int (fixture, "SELECT count(*) FROM lesson WHERE id = '" L_OLD "' "
                                    "AND plan_item_id = '" PLAN_OWN "'"), ==, 1);
  /* … while the plan item changed alone is a change of the lesson, closed by now. */
  g_free (value);
  value = planned_lesson_json (L_OLD, days_ago_20, "Дроби", NULL, now_s - 10 * 86400);
  rev = db_int (fixture, "SELECT rev FROM lesson WHERE id = '" L_OLD "'");
  expect (fixture, "teacher", op_json (NULL, "lesson", "put", L_OLD, rev, value, NULL), "rejected",
          "edit_window_closed");
}

/* ---- main ---------------------------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  make_template ();

#define ADD(path, func) g_test_add (path, ZhServerFixture, NULL, zh_server_fixture_setup, func, zh_server_fixture_teardown)
  ADD ("/server/write/batch/applied-row-feed-and-audit", test_batch_applied_row_feed_and_audit);
  ADD ("/server/write/batch/same-batch-twice-changes-nothing", test_batch_same_batch_twice_changes_nothing);
  ADD ("/server/write/batch/stale-base-rev-conflicts", test_batch_stale_base_rev_conflicts);
  ADD ("/server/write/batch/bad-op-does-not-undo-others", test_batch_bad_op_does_not_undo_others);
  ADD ("/server/write/batch/malformed", test_malformed_batches);
  ADD ("/server/write/authorisation-matrix", test_authorisation_matrix);
  ADD ("/server/write/policy/rules-refused-with-reason", test_policy_rules_refused_with_reason);
  ADD ("/server/write/correction/keeps-old-value", test_correction_keeps_old_value);
  ADD ("/server/write/lesson/plan-item-of-own-group", test_lesson_plan_item_of_own_group);
  ADD ("/server/write/import/good-plan", test_import_good_plan);
  ADD ("/server/write/import/bad-rows-store-nothing", test_import_bad_rows_store_nothing);
  ADD ("/server/write/journal/never-stale-304", test_journal_never_stale_304);
#undef ADD

  status = g_test_run ();
  zh_test_tmpdir_free (template_dir);
  g_free (template_path);
  return status;
}
