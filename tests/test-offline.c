/* test-offline: the offline copy — where it lives, local edits with their outbox operations, the
 * policy checks before an edit, the service's answers, and applying pages of the changes feed
 * (DESIGN.md §4; docs/sync.md). */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <sys/stat.h>
#include <glib/gstdio.h>

#include "zh-entity-sql.h"
#include "zh-offline-private.h"
#include "zh-policy.h"
#include "zh-test-school.h"
#include "zh-test-utils.h"

typedef struct
{
  char         *dir;
  ZhOffline    *offline;
  ZhStore      *store;
  ZhTestSchool  school;
  gint64        now;
} OfflineFixture;

/* Sign the copy in as @login (one of the demo logins of the school). */
static void
sign_in_as (OfflineFixture *fixture,
            const char     *staff_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStaff) staff = zh_store_get_entity (fixture->store, &zh_staff_info, staff_id, &error);

  g_assert_no_error (error);
  g_assert_true (zh_offline_set_account (fixture->offline, "http://127.0.0.1:8080", staff, &error));
  g_assert_no_error (error);
}

static void
offline_setup (OfflineFixture *fixture,
               gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = zh_test_tmpdir_new ();
  path = g_build_filename (fixture->dir, "offline.sqlite", NULL);
  fixture->offline = zh_offline_open_path (path, &error);
  g_assert_no_error (error);
  fixture->store = zh_offline_get_store (fixture->offline);
  zh_test_school_fill (fixture->store, &fixture->school, 21);
  /* As pulled from a service: every row has a rev, the cursor is past them. */
  for (guint i = 0; zh_entities[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET rev = 100", zh_entities[i]->table);

      g_assert_true (zh_store_exec (fixture->store, sql, &error));
    }
  g_assert_true (zh_store_set_meta (fixture->store, ZH_OFFLINE_META_CURSOR, "100", &error));
  sign_in_as (fixture, fixture->school.teacher_id);
  fixture->now = g_get_real_time () / G_USEC_PER_SEC;
}

static void
offline_teardown (OfflineFixture *fixture,
                  gconstpointer   data)
{
  zh_test_school_clear (&fixture->school);
  g_clear_object (&fixture->offline);
  zh_test_tmpdir_free (fixture->dir);
}

/* Every row of every table of the copy, as text: two dumps are equal when nothing changed. */
static char *
dump_tables (ZhStore *store)
{
  static const char * const extra[] = { "outbox", "shadow", "meta", NULL };
  GString *out = g_string_new (NULL);
  g_autoptr(GPtrArray) tables = g_ptr_array_new ();

  for (guint i = 0; zh_entities[i] != NULL; i++)
    g_ptr_array_add (tables, (gpointer) zh_entities[i]->table);
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (tables, (gpointer) extra[i]);

  for (guint t = 0; t < tables->len; t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s ORDER BY 1", (char *) tables->pdata[t]);
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (zh_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_string_append_printf (out, "[%s]\n", (char *) tables->pdata[t]);
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

static gint64
query_int (ZhStore    *store,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (zh_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
query_text (ZhStore    *store,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (zh_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static ZhOutboxEntry *
only_entry (OfflineFixture *fixture,
            ZhOutboxState   state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = zh_offline_list_outbox (fixture->offline, state, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  return g_ptr_array_steal_index (entries, 0);
}

/* ---- where the copy lives ------------------------------------------------------------------- */

static gboolean
mode_is (const char *path,
         int         mode)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (int) (st.st_mode & 0777) == mode;
}

/* The copy holds children's personal data (002 §4.6, 000 §3.8): only its owner may read it. */
static void
test_path_private (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhOffline) offline = NULL;
  g_autofree char *expected = g_build_filename (g_getenv ("XDG_DATA_HOME"), "zhurnal",
                                                "127.0.0.1_8080", "teacher", "offline.sqlite", NULL);
  g_autofree char *login_dir = g_path_get_dirname (expected);
  g_autofree char *host_dir = g_path_get_dirname (login_dir);
  g_autofree char *top_dir = g_path_get_dirname (host_dir);
  g_autofree char *sneaky = NULL;
  g_autofree char *journal = NULL;

  g_assert_cmpstr (g_get_user_data_dir (), ==, g_getenv ("XDG_DATA_HOME"));
  offline = zh_offline_open ("http://127.0.0.1:8080", "teacher", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zh_offline_get_path (offline), ==, expected);
  g_assert_true (mode_is (expected, 0600));
  g_assert_true (mode_is (login_dir, 0700));
  g_assert_true (mode_is (host_dir, 0700));
  g_assert_true (mode_is (top_dir, 0700));
  journal = query_text (zh_offline_get_store (offline), "PRAGMA journal_mode");
  g_assert_cmpstr (journal, ==, "wal");

  /* A login cannot lead out of the copy's folder; a URL without a port gets the scheme's. */
  sneaky = zh_offline_build_path ("https://journal.example.ru", "../../x", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (sneaky, "/zhurnal/journal.example.ru_443/_.._.._x/offline.sqlite"));
}

/* ---- local edits ---------------------------------------------------------------------------- */

/* A mark entered offline is one transaction: the row and its operation (DESIGN.md §4). */
static void
test_edit_mark_with_op (OfflineFixture *fixture,
                        gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mark_id = NULL;
  g_autoptr(ZhMark) mark = NULL;
  g_autoptr(ZhOutboxEntry) entry = NULL;
  g_autoptr(ZhMark) sent = NULL;
  gint64 marks = query_int (fixture->store, "SELECT count (*) FROM mark");

  g_assert_true (zh_offline_add_mark (fixture->offline, fixture->school.lesson_today,
                                      fixture->school.students5[0], "5", "test", "",
                                      fixture->now, &mark_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM mark"), ==, marks + 1);

  mark = zh_store_get_entity (fixture->store, &zh_mark_info, mark_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mark->value, ==, "5");
  g_assert_cmpfloat (mark->weight, ==, 2);          /* the weight of a test (002 §5.2) */
  g_assert_cmpstr (mark->entered_by, ==, fixture->school.teacher_id);
  g_assert_cmpint (mark->entered_at, ==, fixture->now);
  g_assert_cmpint (mark->rev, ==, 0);

  entry = only_entry (fixture, ZH_OUTBOX_PENDING);
  g_assert_true (zh_uuid_is_valid (entry->op_id));
  g_assert_true (entry->info == &zh_mark_info);
  g_assert_cmpstr (entry->entity_id, ==, mark_id);
  g_assert_cmpint (entry->action, ==, ZH_OP_ACTION_PUT);
  g_assert_cmpint (entry->base_rev, ==, 0);
  g_assert_cmpint (entry->entered_at, ==, fixture->now);
  sent = zh_entity_from_string (&zh_mark_info, entry->value, -1, &error);
  g_assert_no_error (error);
  g_assert_true (zh_entity_equal (&zh_mark_info, sent, mark));
  g_assert_cmpuint (zh_offline_count (fixture->offline, ZH_OUTBOX_PENDING), ==, 1);
}

/* 002 §5.2: a double mark is two marks, parts 1 and 2; its author may change a mark only within
 * the policy's undo time (600 s by default), and nobody else may. */
static void
test_double_mark_and_change (OfflineFixture *fixture,
                             gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(ZhMark) mark = NULL;

  g_assert_true (zh_offline_add_mark_part (fixture->offline, fixture->school.lesson_today,
                                           fixture->school.students5[1], "5", "essay", "", 1,
                                           fixture->now, &first, &error));
  g_assert_true (zh_offline_add_mark_part (fixture->offline, fixture->school.lesson_today,
                                           fixture->school.students5[1], "4", "essay", "", 2,
                                           fixture->now, &second, &error));
  g_assert_no_error (error);
  g_assert_false (zh_offline_add_mark_part (fixture->offline, fixture->school.lesson_today,
                                            fixture->school.students5[1], "4", "essay", "", 3,
                                            fixture->now, NULL, &error));
  g_assert_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_INVALID);
  g_clear_error (&error);
  mark = zh_store_get_entity (fixture->store, &zh_mark_info, second, &error);
  g_assert_cmpint (mark->part, ==, 2);
  g_clear_pointer (&mark, zh_mark_free);

  /* Within the undo time: the form of control and the comment change, the weight follows. */
  g_assert_true (zh_offline_change_mark (fixture->offline, first, "4", "test", "после пересдачи",
                                         fixture->now + 60, &error));
  g_assert_no_error (error);
  mark = zh_store_get_entity (fixture->store, &zh_mark_info, first, &error);
  g_assert_cmpstr (mark->value, ==, "4");
  g_assert_cmpstr (mark->comment, ==, "после пересдачи");
  g_assert_cmpfloat (mark->weight, ==, 2);
  g_assert_cmpint (mark->part, ==, 1);
  /* Past it: locked. */
  g_assert_false (zh_offline_change_mark (fixture->offline, first, "3", "test", "",
                                          fixture->now + 3600, &error));
  g_assert_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_MARK_LOCKED);
  g_clear_error (&error);
  /* Another teacher's mark: locked at once. */
  sign_in_as (fixture, fixture->school.classteacher_id);
  g_assert_false (zh_offline_change_mark (fixture->offline, second, "3", "essay", "",
                                          fixture->now + 10, &error));
  g_assert_nonnull (error);
}

/* 002 §7: a teacher cannot correct; a correction needs one of the five reasons. */
static void
test_correction_refused (OfflineFixture *fixture,
                         gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  const char *mark_id;
  g_autofree char *id = NULL;
  sqlite3_stmt *stmt = zh_store_prepare (fixture->store, "SELECT id FROM mark LIMIT 1", &error);

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  mark_id = id;
  g_assert_false (zh_offline_correct_mark (fixture->offline, mark_id, "3",
                                           ZH_CORRECTION_REASON_DEBT_CLEARED, "Приказ № 45",
                                           fixture->now, NULL, &error));
  g_assert_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  sign_in_as (fixture, fixture->school.deputy_id);
  g_assert_false (zh_offline_correct_mark (fixture->offline, mark_id, "3", (ZhCorrectionReason) 17,
                                           "Приказ № 45", fixture->now, NULL, &error));
  g_assert_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_CORRECTION_REASON);
  g_assert_cmpuint (zh_offline_count (fixture->offline, ZH_OUTBOX_PENDING), ==, 0);
}

/* Editing a pulled row keeps the row as pulled (shadow) and bases the operation on its rev. */
static void
test_edit_topic_base_rev (OfflineFixture *fixture,
                          gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhOutboxEntry) entry = NULL;
  g_autoptr(ZhLesson) lesson = NULL;
  g_autofree char *shadow_topic = NULL;

  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today,
                                       "Сложение дробей", fixture->now, &error));
  g_assert_no_error (error);
  lesson = zh_store_get_entity (fixture->store, &zh_lesson_info, fixture->school.lesson_today, &error);
  g_assert_cmpstr (lesson->topic, ==, "Сложение дробей");
  g_assert_cmpint (lesson->topic_entered_at, ==, fixture->now);

  entry = only_entry (fixture, ZH_OUTBOX_PENDING);
  g_assert_cmpint (entry->base_rev, ==, 100);
  g_assert_cmpint (query_int (fixture->store, "SELECT rev FROM shadow"), ==, 100);
  shadow_topic = query_text (fixture->store, "SELECT json_extract (value, '$.topic') FROM shadow");
  g_assert_cmpstr (shadow_topic, ==, "");
}

/* The lesson's plan item in the copy and in the value of its one outbox operation, checked equal
 * to @expected (NULL: no plan item). */
static void
check_plan_item (OfflineFixture *fixture,
                 const char     *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhLesson) lesson = zh_store_get_entity (fixture->store, &zh_lesson_info,
                                                    fixture->school.lesson_today, &error);
  g_autoptr(ZhOutboxEntry) entry = only_entry (fixture, ZH_OUTBOX_PENDING);
  g_autoptr(JsonNode) value = json_from_string (entry->value, &error);
  JsonNode *member;

  g_assert_no_error (error);
  g_assert_cmpstr (lesson->plan_item_id, ==, expected);
  /* The service hears of it: the member is there, a string or null. */
  member = json_object_get_member (json_node_get_object (value), "plan_item_id");
  g_assert_nonnull (member);
  if (expected == NULL)
    g_assert_true (JSON_NODE_HOLDS_NULL (member));
  else
    g_assert_cmpstr (json_node_get_string (member), ==, expected);
}

#define PLAN_FRACTIONS "00000000-0000-4000-8000-700000000001"
#define PLAN_ADDING_1  "00000000-0000-4000-8000-700000000002"
#define PLAN_ADDING_2  "00000000-0000-4000-8000-700000000003"
#define PLAN_RUSSIAN   "00000000-0000-4000-8000-700000000004"

/* REQUIREMENTS §2 (000 §3.5.4, 004 §4.4.7: lesson topics follow the КТП) and §6 (003 §3, 000
 * §11.3: the deputy sets the hours given against the plan): a topic of the group's plan links the
 * lesson to its plan item — a topic the plan repeats to the turn no other lesson has taken, else
 * the first — in the copy and in the operation sent; a topic of another group's plan or free text
 * leaves the lesson unlinked. */
static void
test_topic_links_plan_item (OfflineFixture *fixture,
                            gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *plan = g_strdup_printf (
    "INSERT INTO plan_item (id, group_id, number, topic, hours) VALUES "
    "  ('" PLAN_FRACTIONS "', '%1$s', 1, 'Дроби', 1),"
    "  ('" PLAN_ADDING_1 "', '%1$s', 2, 'Сложение дробей', 1),"
    "  ('" PLAN_ADDING_2 "', '%1$s', 3, 'Сложение дробей', 1),"
    "  ('" PLAN_RUSSIAN "', '%2$s', 1, 'Причастие', 1);"
    "UPDATE lesson SET plan_item_id = '" PLAN_ADDING_1 "' WHERE id = '%3$s';",
    fixture->school.math5_id, fixture->school.russian5_id, fixture->school.lesson_yesterday);

  g_assert_true (zh_store_exec (fixture->store, plan, &error));
  g_assert_no_error (error);

  /* The first turn of a repeated topic is yesterday's: today's lesson takes the second. */
  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today,
                                       "Сложение дробей", fixture->now, &error));
  g_assert_no_error (error);
  check_plan_item (fixture, PLAN_ADDING_2);

  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today, "Дроби",
                                       fixture->now, &error));
  g_assert_no_error (error);
  check_plan_item (fixture, PLAN_FRACTIONS);

  /* Free text, and another group's plan topic, are no topic of this plan. */
  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today,
                                       "Дроби: повторение", fixture->now, &error));
  g_assert_no_error (error);
  check_plan_item (fixture, NULL);
  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today, "Причастие",
                                       fixture->now, &error));
  g_assert_no_error (error);
  check_plan_item (fixture, NULL);

  /* Every turn taken by other lessons: the first of them. */
  g_free (plan);
  plan = g_strdup_printf ("UPDATE lesson SET plan_item_id = '" PLAN_ADDING_2 "' WHERE id = '%s'",
                          fixture->school.lesson_old);
  g_assert_true (zh_store_exec (fixture->store, plan, &error));
  g_assert_no_error (error);
  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today,
                                       "Сложение дробей", fixture->now, &error));
  g_assert_no_error (error);
  check_plan_item (fixture, PLAN_ADDING_1);
}

/* A refused edit leaves the copy exactly as it was: no row, no operation. */
static void
check_refused (OfflineFixture *fixture,
               gboolean        ok,
               GError         *error,
               int             code,
               const char     *before)
{
  g_autofree char *after = dump_tables (fixture->store);

  g_assert_false (ok);
  g_assert_error (error, ZH_POLICY_ERROR, code);
  g_assert_cmpstr (after, ==, before);
}

/* No marks in grade 1 (000 §3.11). */
static void
test_refused_grade1 (OfflineFixture *fixture,
                     gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = dump_tables (fixture->store);
  gboolean ok = zh_offline_add_mark (fixture->offline, fixture->school.lesson1_today,
                                     fixture->school.students1[0], "5", "answer", "",
                                     fixture->now, NULL, &error);

  check_refused (fixture, ok, error, ZH_POLICY_ERROR_MARKS_NOT_ALLOWED, before);
  g_assert_cmpstr (zh_policy_error_to_code (error), ==, "marks_not_allowed");
}

/* A lesson 20 days past is outside the 14-day edit window (004 §3.6). */
static void
test_refused_edit_window (OfflineFixture *fixture,
                          gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = dump_tables (fixture->store);
  gboolean ok = zh_offline_set_absence (fixture->offline, fixture->school.lesson_old,
                                        fixture->school.students5[1], ZH_ATTENDANCE_ABSENT,
                                        fixture->now, &error);

  check_refused (fixture, ok, error, ZH_POLICY_ERROR_EDIT_WINDOW_CLOSED, before);
}

/* A teacher records the lessons of their own groups only (000 §3.5.6, 001 §5.4). */
static void
test_refused_not_my_group (OfflineFixture *fixture,
                           gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = dump_tables (fixture->store);
  gboolean ok = zh_offline_set_topic (fixture->offline, fixture->school.russian_today, "Причастие",
                                      fixture->now, &error);

  check_refused (fixture, ok, error, ZH_POLICY_ERROR_NOT_OWN_GROUP, before);
}

/* The reason of an absence is set by the student's class teacher (002 §5.3) — who may. */
static void
test_absence_reason_class_teacher (OfflineFixture *fixture,
                                   gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autoptr(ZhAttendance) absence = NULL;
  g_autoptr(ZhOutboxEntry) entry = NULL;
  gboolean ok;

  g_assert_true (zh_offline_set_absence (fixture->offline, fixture->school.lesson_today,
                                         fixture->school.students5[2], ZH_ATTENDANCE_ABSENT,
                                         fixture->now, &error));
  g_assert_no_error (error);

  before = dump_tables (fixture->store);
  ok = zh_offline_set_absence_reason (fixture->offline, fixture->school.lesson_today,
                                      fixture->school.students5[2], ZH_ATTENDANCE_ILL,
                                      fixture->now, &error);
  check_refused (fixture, ok, error, ZH_POLICY_ERROR_NOT_OWN_CLASS, before);
  g_clear_error (&error);

  sign_in_as (fixture, fixture->school.classteacher_id);
  g_assert_true (zh_offline_set_absence_reason (fixture->offline, fixture->school.lesson_today,
                                                fixture->school.students5[2], ZH_ATTENDANCE_ILL,
                                                fixture->now, &error));
  g_assert_no_error (error);
  entry = only_entry (fixture, ZH_OUTBOX_PENDING);
  absence = zh_store_get_entity (fixture->store, &zh_attendance_info, entry->entity_id, &error);
  g_assert_cmpint (absence->code, ==, ZH_ATTENDANCE_ILL);
}

/* The code of the attendance row of @student_id in @lesson_id in the copy. */
static ZhAttendanceCode
attendance_code (OfflineFixture *fixture,
                 const char     *lesson_id,
                 const char     *student_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT code FROM attendance WHERE lesson_id = '%s' "
                                          "AND student_id = '%s'", lesson_id, student_id);
  g_autofree char *nick = query_text (fixture->store, sql);
  int code = -1;

  g_assert_true (zh_enum_from_nick (ZH_TYPE_ATTENDANCE_CODE, nick, &code));
  return code;
}

/* A reason taken back gives the absence the code it had, through the outbox, by the rules of
 * setting the reason: the student's class teacher (002 §5.3, 000 §4.3.3). Only the reason given
 * is taken back: one changed since stays. */
static void
test_take_back_reason (OfflineFixture *fixture,
                       gconstpointer   data)
{
  const char *lesson = fixture->school.russian_today, *student = fixture->school.students5[1];
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhOutboxEntry) entry = NULL;
  g_autoptr(ZhAttendance) sent = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  /* The class teacher of 5А teaches its Russian: records the absence and gives its reason. */
  sign_in_as (fixture, fixture->school.classteacher_id);
  g_assert_true (zh_offline_set_absence (fixture->offline, lesson, student, ZH_ATTENDANCE_ABSENT,
                                         fixture->now, &error));
  g_assert_no_error (error);
  g_assert_true (zh_offline_set_absence_reason (fixture->offline, lesson, student,
                                                ZH_ATTENDANCE_ILL, fixture->now + 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (attendance_code (fixture, lesson, student), ==, ZH_ATTENDANCE_ILL);

  g_assert_true (zh_offline_take_back_absence_reason (fixture->offline, lesson, student,
                                                      ZH_ATTENDANCE_ILL, ZH_ATTENDANCE_ABSENT,
                                                      fixture->now + 2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (attendance_code (fixture, lesson, student), ==, ZH_ATTENDANCE_ABSENT);
  /* The service hears of it: the operation never sent carries the absence as given back. */
  entry = only_entry (fixture, ZH_OUTBOX_PENDING);
  g_assert_true (entry->info == &zh_attendance_info);
  g_assert_cmpint (entry->action, ==, ZH_OP_ACTION_PUT);
  sent = zh_entity_from_string (&zh_attendance_info, entry->value, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sent->code, ==, ZH_ATTENDANCE_ABSENT);
  g_assert_cmpint (sent->entered_at, ==, fixture->now + 2);

  /* A reason changed since the one taken back: left as it is, nothing recorded. */
  g_assert_true (zh_offline_set_absence_reason (fixture->offline, lesson, student,
                                                ZH_ATTENDANCE_VALID, fixture->now + 3, &error));
  g_assert_no_error (error);
  before = dump_tables (fixture->store);
  g_assert_false (zh_offline_take_back_absence_reason (fixture->offline, lesson, student,
                                                       ZH_ATTENDANCE_ILL, ZH_ATTENDANCE_ABSENT,
                                                       fixture->now + 4, &error));
  g_assert_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_STATE);
  after = dump_tables (fixture->store);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (attendance_code (fixture, lesson, student), ==, ZH_ATTENDANCE_VALID);
}

/* Taking a reason back is refused as setting it is: not by a teacher who is not the student's
 * class teacher (002 §5.3), not past the edit window (004 §3.6); and a plain absence is given
 * back only by who may record one — the lesson's teacher (002 §5.3), as the service judges it. */
static void
test_take_back_reason_refused (OfflineFixture *fixture,
                               gconstpointer   data)
{
  const char *lesson = fixture->school.lesson_today, *student = fixture->school.students5[2];
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhAttendance) old = zh_attendance_new ();
  g_autofree char *before = NULL;
  g_autofree char *sql = NULL;
  gboolean ok;

  g_assert_true (zh_offline_set_absence (fixture->offline, lesson, student, ZH_ATTENDANCE_ABSENT,
                                         fixture->now, &error));
  g_assert_no_error (error);
  sign_in_as (fixture, fixture->school.classteacher_id);
  g_assert_true (zh_offline_set_absence_reason (fixture->offline, lesson, student,
                                                ZH_ATTENDANCE_ILL, fixture->now, &error));
  g_assert_no_error (error);

  /* The mathematics teacher is not the class teacher of 5А. */
  sign_in_as (fixture, fixture->school.teacher_id);
  before = dump_tables (fixture->store);
  ok = zh_offline_take_back_absence_reason (fixture->offline, lesson, student, ZH_ATTENDANCE_ILL,
                                            ZH_ATTENDANCE_ABSENT, fixture->now + 1, &error);
  check_refused (fixture, ok, error, ZH_POLICY_ERROR_NOT_OWN_CLASS, before);
  g_clear_error (&error);

  /* The class teacher does not teach this mathematics: the plain absence is not theirs to give
   * back; another reason is. */
  sign_in_as (fixture, fixture->school.classteacher_id);
  g_free (before);
  before = dump_tables (fixture->store);
  ok = zh_offline_take_back_absence_reason (fixture->offline, lesson, student, ZH_ATTENDANCE_ILL,
                                            ZH_ATTENDANCE_ABSENT, fixture->now + 1, &error);
  check_refused (fixture, ok, error, ZH_POLICY_ERROR_NOT_OWN_GROUP, before);
  g_clear_error (&error);
  g_assert_true (zh_offline_take_back_absence_reason (fixture->offline, lesson, student,
                                                      ZH_ATTENDANCE_ILL, ZH_ATTENDANCE_INVALID,
                                                      fixture->now + 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (attendance_code (fixture, lesson, student), ==, ZH_ATTENDANCE_INVALID);

  /* A lesson 20 days past, its absence with a reason: the reason stays. */
  old->id = zh_uuid_new ();
  old->lesson_id = g_strdup (fixture->school.lesson_old);
  old->student_id = g_strdup (student);
  old->code = ZH_ATTENDANCE_ILL;
  old->comment = g_strdup ("");
  old->entered_by = g_strdup (fixture->school.classteacher_id);
  old->entered_at = fixture->now - 20 * 86400;
  old->rev = 100;
  sql = g_strdup_printf ("DELETE FROM attendance WHERE lesson_id = '%s' AND student_id = '%s'",
                         fixture->school.lesson_old, student);
  g_assert_true (zh_store_exec (fixture->store, sql, &error));
  g_assert_true (zh_store_put_entity (fixture->store, &zh_attendance_info, old, &error));
  g_assert_no_error (error);
  g_free (before);
  before = dump_tables (fixture->store);
  ok = zh_offline_take_back_absence_reason (fixture->offline, fixture->school.lesson_old, student,
                                            ZH_ATTENDANCE_ILL, ZH_ATTENDANCE_VALID,
                                            fixture->now + 1, &error);
  check_refused (fixture, ok, error, ZH_POLICY_ERROR_EDIT_WINDOW_CLOSED, before);
}

/* Homework is not added to a lesson already past (002 §5.2); a lesson's own day is fine. */
static void
test_homework_rules (OfflineFixture *fixture,
                     gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  gboolean ok;

  g_assert_true (zh_offline_set_homework (fixture->offline, fixture->school.lesson_today, "№ 20",
                                          fixture->now, &error));
  g_assert_no_error (error);

  g_assert_true (zh_store_exec (fixture->store, "UPDATE lesson SET homework = ''", &error));
  before = dump_tables (fixture->store);
  ok = zh_offline_set_homework (fixture->offline, fixture->school.lesson_yesterday, "№ 21",
                                fixture->now, &error);
  check_refused (fixture, ok, error, ZH_POLICY_ERROR_HOMEWORK_PAST_LESSON, before);
}

/* A new lesson: on the bell schedule, with its operation. */
static void
test_add_lesson (OfflineFixture *fixture,
                 gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lesson_id = NULL;
  g_autoptr(ZhLesson) lesson = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (zh_offline_add_lesson (fixture->offline, fixture->school.math5_id,
                                        fixture->school.today, 6, ZH_LESSON_KIND_TEST,
                                        fixture->now, &lesson_id, &error));
  g_assert_no_error (error);
  lesson = zh_store_get_entity (fixture->store, &zh_lesson_info, lesson_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lesson->kind, ==, ZH_LESSON_KIND_TEST);
  g_assert_cmpstr (lesson->teacher_id, ==, fixture->school.teacher_id);
  g_assert_cmpuint (zh_offline_count (fixture->offline, ZH_OUTBOX_PENDING), ==, 1);

  before = dump_tables (fixture->store);
  g_assert_false (zh_offline_add_lesson (fixture->offline, fixture->school.math5_id,
                                         fixture->school.today, 11, ZH_LESSON_KIND_LESSON,
                                         fixture->now, NULL, &error));
  g_assert_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_UNKNOWN_LESSON_NUMBER);
  after = dump_tables (fixture->store);
  g_assert_cmpstr (after, ==, before);
}

/* Edits of a row never sent merge into one operation; once sent, the next edit is a new one. */
static void
test_coalesce_unsent (OfflineFixture *fixture,
                      gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhOutboxEntry) first = NULL;
  g_autoptr(ZhOutboxEntry) merged = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GPtrArray) all = NULL;

  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today, "Дроби",
                                       fixture->now, &error));
  first = only_entry (fixture, ZH_OUTBOX_PENDING);
  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today, "Дроби и доли",
                                       fixture->now + 5, &error));
  merged = only_entry (fixture, ZH_OUTBOX_PENDING);
  g_assert_cmpstr (merged->op_id, ==, first->op_id);
  g_assert_true (g_strrstr (merged->value, "Дроби и доли") != NULL);
  g_assert_cmpint (merged->entered_at, ==, fixture->now + 5);

  batch = _zh_offline_take_batch (fixture->offline, 200, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (batch->len, ==, 1);
  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today, "Доли",
                                       fixture->now + 9, &error));
  all = zh_offline_list_outbox (fixture->offline, ZH_OUTBOX_PENDING, &error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpint (((ZhOutboxEntry *) all->pdata[1])->base_rev, ==, 100);
}

/* An absence set and cleared before it was ever sent leaves nothing to send. */
static void
test_made_and_removed (OfflineFixture *fixture,
                       gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = dump_tables (fixture->store);
  g_autofree char *after = NULL;

  g_assert_true (zh_offline_set_absence (fixture->offline, fixture->school.lesson_today,
                                         fixture->school.students5[3], ZH_ATTENDANCE_ABSENT,
                                         fixture->now, &error));
  g_assert_true (zh_offline_clear_absence (fixture->offline, fixture->school.lesson_today,
                                           fixture->school.students5[3], fixture->now, &error));
  g_assert_no_error (error);
  after = dump_tables (fixture->store);
  g_assert_cmpstr (after, ==, before);
}

/* ---- period marks --------------------------------------------------------------------------- */

/* A period of the test school's year that ended @days_ago days ago, as pulled (rev 100). */
static char *
add_period (OfflineFixture *fixture,
            guint           days_ago)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhPeriod) period = zh_period_new ();

  period->id = zh_uuid_new ();
  period->year_id = g_strdup (fixture->school.year_id);
  period->kind = ZH_PERIOD_KIND_QUARTER;
  period->number = 1;
  period->starts = zh_test_date_days_ago (days_ago + 60);
  period->ends = zh_test_date_days_ago (days_ago);
  period->grade_from = 1;
  period->grade_to = 11;
  period->rev = 100;
  g_assert_true (zh_store_put_entity (fixture->store, &zh_period_info, period, &error));
  g_assert_no_error (error);
  return g_strdup (period->id);
}

/* The active period mark of the first student of 5А in mathematics, or NULL. */
static ZhPeriodMark *
get_period_mark (OfflineFixture *fixture,
                 const char     *period_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM period_mark WHERE student_id = '%s' "
                                          "AND group_id = '%s' AND period_id IS %s%s%s "
                                          "AND state = 'active'",
                                          fixture->school.students5[0], fixture->school.math5_id,
                                          period_id != NULL ? "'" : "",
                                          period_id != NULL ? period_id : "NULL",
                                          period_id != NULL ? "'" : "");
  g_autofree char *id = query_text (fixture->store, sql);
  ZhPeriodMark *mark;

  if (id == NULL)
    return NULL;
  mark = zh_store_get_entity (fixture->store, &zh_period_mark_info, id, &error);
  g_assert_no_error (error);
  return mark;
}

/* 000 §4.2.4: period marks are entered up to 3 days after the period ends — all of day 3; the row
 * and its operation in one transaction (DESIGN.md §4). */
static void
test_period_mark_in_window (OfflineFixture *fixture,
                            gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *period_id = add_period (fixture, 3);
  g_autoptr(ZhPeriodMark) mark = NULL;
  g_autoptr(ZhPeriodMark) sent = NULL;
  g_autoptr(ZhOutboxEntry) entry = NULL;

  g_assert_true (zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                             fixture->school.students5[0],
                                             ZH_PERIOD_MARK_KIND_PERIOD, period_id, "4",
                                             fixture->now, &error));
  g_assert_no_error (error);
  mark = get_period_mark (fixture, period_id);
  g_assert_nonnull (mark);
  g_assert_cmpstr (mark->value, ==, "4");
  g_assert_cmpint (mark->kind, ==, ZH_PERIOD_MARK_KIND_PERIOD);
  g_assert_cmpstr (mark->entered_by, ==, fixture->school.teacher_id);
  g_assert_cmpint (mark->entered_at, ==, fixture->now);
  g_assert_cmpint (mark->state, ==, ZH_MARK_STATE_ACTIVE);

  entry = only_entry (fixture, ZH_OUTBOX_PENDING);
  g_assert_true (entry->info == &zh_period_mark_info);
  g_assert_cmpstr (entry->entity_id, ==, mark->id);
  g_assert_cmpint (entry->action, ==, ZH_OP_ACTION_PUT);
  g_assert_cmpint (entry->base_rev, ==, 0);
  sent = zh_entity_from_string (&zh_period_mark_info, entry->value, -1, &error);
  g_assert_no_error (error);
  g_assert_true (zh_entity_equal (&zh_period_mark_info, sent, mark));

  /* The year mark belongs to the year, which ends later: open too (000 §7). */
  g_assert_true (zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                             fixture->school.students5[0],
                                             ZH_PERIOD_MARK_KIND_YEAR, NULL, "pass",
                                             fixture->now, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (zh_offline_count (fixture->offline, ZH_OUTBOX_PENDING), ==, 2);
}

/* 000 §4.2.4, §7.3: from day 4 after the period only the administration corrects (002 §7). */
static void
test_period_mark_after_window (OfflineFixture *fixture,
                               gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *period_id = add_period (fixture, 4);
  g_autofree char *before = dump_tables (fixture->store);
  gboolean ok = zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                            fixture->school.students5[0],
                                            ZH_PERIOD_MARK_KIND_PERIOD, period_id, "4",
                                            fixture->now, &error);

  check_refused (fixture, ok, error, ZH_POLICY_ERROR_PERIOD_MARKS_CLOSED, before);
  g_assert_cmpstr (zh_policy_error_to_code (error), ==, "period_marks_closed");
}

/* 000 §4.2.4, 004 §4.4.6: the group's own teacher gives its period marks — not the teacher of
 * another subject (even the class teacher), not the deputy (who corrects, 002 §7). */
static void
test_period_mark_not_teacher (OfflineFixture *fixture,
                              gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *period_id = add_period (fixture, 1);
  g_autofree char *before = NULL;
  gboolean ok;

  sign_in_as (fixture, fixture->school.classteacher_id);
  before = dump_tables (fixture->store);
  ok = zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                   fixture->school.students5[0], ZH_PERIOD_MARK_KIND_PERIOD,
                                   period_id, "5", fixture->now, &error);
  check_refused (fixture, ok, error, ZH_POLICY_ERROR_NOT_OWN_GROUP, before);
  g_clear_error (&error);

  sign_in_as (fixture, fixture->school.deputy_id);
  g_free (before);
  before = dump_tables (fixture->store);
  ok = zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                   fixture->school.students5[0], ZH_PERIOD_MARK_KIND_PERIOD,
                                   period_id, "5", fixture->now, &error);
  check_refused (fixture, ok, error, ZH_POLICY_ERROR_NOT_PERMITTED, before);
}

/* 004 §5.3: no «н/а» as a period mark, no «освобождён» at all (002 §5.2); only the school's
 * scale (002 §5.2). A period mark of a year, and a year mark of one period, are not requests. */
static void
test_period_mark_values (OfflineFixture *fixture,
                         gconstpointer   data)
{
  static const struct { const char *value; int code; } refused[] = {
    { "н/а", ZH_POLICY_ERROR_NOT_ASSESSED_FORBIDDEN },
    { "освобождён", ZH_POLICY_ERROR_EXEMPT_FORBIDDEN },
    { "6", ZH_POLICY_ERROR_UNKNOWN_MARK_VALUE },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *period_id = add_period (fixture, 1);
  g_autofree char *before = dump_tables (fixture->store);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      gboolean ok = zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                                fixture->school.students5[0],
                                                ZH_PERIOD_MARK_KIND_PERIOD, period_id,
                                                refused[i].value, fixture->now, &error);

      check_refused (fixture, ok, error, refused[i].code, before);
      g_clear_error (&error);
    }

  g_assert_false (zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                              fixture->school.students5[0],
                                              ZH_PERIOD_MARK_KIND_PERIOD, NULL, "5",
                                              fixture->now, &error));
  g_assert_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                              fixture->school.students5[0],
                                              ZH_PERIOD_MARK_KIND_YEAR, period_id, "5",
                                              fixture->now, &error));
  g_assert_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autofree char *after = dump_tables (fixture->store);

    g_assert_cmpstr (after, ==, before);
  }
}

/* 002 §5.2 with the undo grace (docs/policy.md): the teacher replaces their own period mark just
 * given — the same row, its unsent operation replaced in place (docs/sync.md) — and a pulled one
 * keeps its id and base_rev; after the grace, or another's mark, only a correction (002 §7). */
static void
test_period_mark_replace (OfflineFixture *fixture,
                          gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *period_id = add_period (fixture, 1);
  g_autoptr(ZhPeriodMark) first = NULL;
  g_autoptr(ZhPeriodMark) second = NULL;
  g_autoptr(ZhPeriodMark) pulled = zh_period_mark_new ();
  g_autoptr(ZhPeriodMark) replaced = NULL;
  g_autoptr(ZhOutboxEntry) entry = NULL;
  g_autofree char *before = NULL;
  g_autofree char *shadow = NULL;
  gboolean ok;

  g_assert_true (zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                             fixture->school.students5[0],
                                             ZH_PERIOD_MARK_KIND_PERIOD, period_id, "3",
                                             fixture->now, &error));
  g_assert_no_error (error);
  first = get_period_mark (fixture, period_id);
  g_assert_true (zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                             fixture->school.students5[0],
                                             ZH_PERIOD_MARK_KIND_PERIOD, period_id, "4",
                                             fixture->now + 60, &error));
  g_assert_no_error (error);
  second = get_period_mark (fixture, period_id);
  g_assert_cmpstr (second->id, ==, first->id);
  g_assert_cmpstr (second->value, ==, "4");
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM period_mark"), ==, 1);
  g_clear_pointer (&entry, zh_outbox_entry_free);
  entry = only_entry (fixture, ZH_OUTBOX_PENDING);
  g_assert_cmpstr (entry->entity_id, ==, first->id);
  {
    g_autoptr(ZhPeriodMark) sent = zh_entity_from_string (&zh_period_mark_info, entry->value, -1,
                                                         &error);

    g_assert_no_error (error);
    g_assert_cmpstr (sent->value, ==, "4");
  }

  /* The same mark typed again changes nothing, even after the grace. */
  before = dump_tables (fixture->store);
  g_assert_true (zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                             fixture->school.students5[0],
                                             ZH_PERIOD_MARK_KIND_PERIOD, period_id, "4",
                                             fixture->now + 3600, &error));
  g_assert_no_error (error);
  {
    g_autofree char *after = dump_tables (fixture->store);

    g_assert_cmpstr (after, ==, before);
  }

  /* Past the grace (600 s after it was entered): locked. */
  ok = zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                   fixture->school.students5[0], ZH_PERIOD_MARK_KIND_PERIOD,
                                   period_id, "5", fixture->now + 60 + 601, &error);
  check_refused (fixture, ok, error, ZH_POLICY_ERROR_MARK_LOCKED, before);
  g_clear_error (&error);

  /* A year mark pulled from the service, given a minute ago by this teacher: replaced on its id,
   * on its rev. */
  pulled->id = zh_uuid_new ();
  pulled->student_id = g_strdup (fixture->school.students5[0]);
  pulled->group_id = g_strdup (fixture->school.math5_id);
  pulled->kind = ZH_PERIOD_MARK_KIND_YEAR;
  g_free (pulled->value);
  pulled->value = g_strdup ("3");
  pulled->state = ZH_MARK_STATE_ACTIVE;
  pulled->entered_by = g_strdup (fixture->school.teacher_id);
  pulled->entered_at = fixture->now - 60;
  pulled->received_at = fixture->now - 59;
  pulled->rev = 140;
  g_assert_true (zh_store_put_entity (fixture->store, &zh_period_mark_info, pulled, &error));
  g_assert_no_error (error);
  g_assert_true (zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                             fixture->school.students5[0],
                                             ZH_PERIOD_MARK_KIND_YEAR, NULL, "4",
                                             fixture->now, &error));
  g_assert_no_error (error);
  replaced = get_period_mark (fixture, NULL);
  g_assert_cmpstr (replaced->id, ==, pulled->id);
  g_assert_cmpstr (replaced->value, ==, "4");
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM period_mark"), ==, 2);
  g_assert_cmpint (query_int (fixture->store, "SELECT base_rev FROM outbox WHERE entity = "
                                              "'period_mark' ORDER BY seq DESC LIMIT 1"), ==, 140);
  shadow = query_text (fixture->store, "SELECT json_extract (value, '$.value') FROM shadow "
                                       "WHERE entity = 'period_mark' AND rev = 140");
  g_assert_cmpstr (shadow, ==, "3");

  /* Another teacher's period mark is not this teacher's to replace, in the grace or not. */
  sign_in_as (fixture, fixture->school.classteacher_id);
  {
    g_autoptr(ZhGroup) group = zh_store_get_entity (fixture->store, &zh_group_info,
                                                    fixture->school.math5_id, &error);

    g_assert_no_error (error);
    g_free (group->teacher_id);
    group->teacher_id = g_strdup (fixture->school.classteacher_id);
    g_assert_true (zh_store_put_entity (fixture->store, &zh_group_info, group, &error));
    g_assert_no_error (error);
  }
  g_free (before);
  before = dump_tables (fixture->store);
  ok = zh_offline_set_period_mark (fixture->offline, fixture->school.math5_id,
                                   fixture->school.students5[0], ZH_PERIOD_MARK_KIND_YEAR, NULL,
                                   "5", fixture->now + 1, &error);
  check_refused (fixture, ok, error, ZH_POLICY_ERROR_MARK_LOCKED, before);
}

/* ---- the service's answers ------------------------------------------------------------------ */

static GPtrArray *
answer (GPtrArray  *batch,
        ZhOpStatus  status,
        gint64      rev,
        const char *current)
{
  GPtrArray *results = g_ptr_array_new_with_free_func ((GDestroyNotify) zh_op_result_free);

  for (guint i = 0; i < batch->len; i++)
    {
      ZhOpResult *result = g_new0 (ZhOpResult, 1);

      result->op_id = g_strdup (((ZhOperation *) batch->pdata[i])->op_id);
      result->status = status;
      result->rev = rev + i;
      if (status == ZH_OP_STATUS_REJECTED)
        {
          result->code = g_strdup ("edit_window_closed");
          result->message = g_strdup ("Урок уже нельзя изменить");
        }
      result->current = g_strdup (current);
      g_ptr_array_add (results, result);
    }
  return results;
}

static void
apply_answer (OfflineFixture *fixture,
              GPtrArray      *batch,
              ZhOpStatus      status,
              gint64          rev,
              const char     *current)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = answer (batch, status, rev, current);

  g_assert_true (_zh_offline_apply_results (fixture->offline, batch, results, &error));
  g_assert_no_error (error);
}

static GPtrArray *
take (OfflineFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *batch = _zh_offline_take_batch (fixture->offline, 200, &error);

  g_assert_no_error (error);
  return batch;
}

/* Two edits of one row, the second made after the first was sent: the second waits for the
 * answer to the first and then goes on the rev the first produced, so the service does not see
 * a stale base_rev (docs/sync.md, "Several edits of one row"). */
static void
test_chain_base_rev (OfflineFixture *fixture,
                     gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) blocked = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GPtrArray) third = NULL;
  g_autoptr(ZhLesson) lesson = NULL;

  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today, "Первая",
                                       fixture->now, &error));
  first = take (fixture);
  g_assert_cmpuint (first->len, ==, 1);
  g_assert_cmpint (((ZhOperation *) first->pdata[0])->base_rev, ==, 100);

  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today, "Вторая",
                                       fixture->now, &error));
  /* The first was not answered (the answer was lost): it goes again with its op_id and its
   * base_rev, and the second still waits behind it. */
  blocked = take (fixture);
  g_assert_cmpuint (blocked->len, ==, 1);
  g_assert_cmpstr (((ZhOperation *) blocked->pdata[0])->op_id, ==, ((ZhOperation *) first->pdata[0])->op_id);
  g_assert_cmpint (((ZhOperation *) blocked->pdata[0])->base_rev, ==, 100);
  apply_answer (fixture, blocked, ZH_OP_STATUS_APPLIED, 500, NULL);

  second = take (fixture);
  g_assert_cmpuint (second->len, ==, 1);
  g_assert_cmpint (((ZhOperation *) second->pdata[0])->base_rev, ==, 500);
  g_assert_true (g_strrstr (((ZhOperation *) second->pdata[0])->value, "Вторая") != NULL);

  /* A third edit while the second is out; the second is refused: the third goes on 500 too. */
  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today, "Третья",
                                       fixture->now, &error));
  apply_answer (fixture, second, ZH_OP_STATUS_REJECTED, 0, NULL);
  third = take (fixture);
  g_assert_cmpuint (third->len, ==, 1);
  g_assert_cmpint (((ZhOperation *) third->pdata[0])->base_rev, ==, 500);
  apply_answer (fixture, third, ZH_OP_STATUS_APPLIED, 501, NULL);

  lesson = zh_store_get_entity (fixture->store, &zh_lesson_info, fixture->school.lesson_today, &error);
  g_assert_cmpstr (lesson->topic, ==, "Третья");
  g_assert_cmpint (lesson->rev, ==, 501);
  g_assert_cmpuint (zh_offline_count (fixture->offline, ZH_OUTBOX_PENDING), ==, 0);
  g_assert_cmpuint (zh_offline_count (fixture->offline, ZH_OUTBOX_REJECTED), ==, 1);
}

/* 002 §5.2 with the school's undo grace: the author takes a mark back within undo_seconds of
 * entering it; a mark never sent leaves nothing at all (docs/sync.md "Merge only what was never
 * sent"). */
static void
test_undo_mark_within_grace (OfflineFixture *fixture,
                             gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = dump_tables (fixture->store);
  g_autofree char *after = NULL;
  g_autofree char *mark_id = NULL;

  g_assert_true (zh_offline_add_mark (fixture->offline, fixture->school.lesson_today,
                                      fixture->school.students5[4], "2", "answer", "",
                                      fixture->now, &mark_id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (zh_offline_count (fixture->offline, ZH_OUTBOX_PENDING), ==, 1);
  g_assert_true (zh_offline_delete_mark (fixture->offline, mark_id, fixture->now + 60, &error));
  g_assert_no_error (error);
  after = dump_tables (fixture->store);
  g_assert_cmpstr (after, ==, before);
}

/* 002 §5.2: past the undo grace a mark stands — refused with the reason, nothing written; a mark
 * entered by someone else is never the teacher's to take back. */
static void
test_undo_mark_refused_after_grace (OfflineFixture *fixture,
                                    gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhPolicy) policy = zh_policy_new_default ();
  g_autofree char *mark_id = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *sql = NULL;
  gint64 grace = zh_policy_get_undo_seconds (policy);

  g_assert_true (zh_offline_add_mark (fixture->offline, fixture->school.lesson_today,
                                      fixture->school.students5[5], "3", "answer", "",
                                      fixture->now, &mark_id, &error));
  g_assert_no_error (error);
  before = dump_tables (fixture->store);
  g_assert_false (zh_offline_delete_mark (fixture->offline, mark_id, fixture->now + grace + 1,
                                          &error));
  g_assert_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_MARK_LOCKED);
  g_clear_error (&error);
  after = dump_tables (fixture->store);
  g_assert_cmpstr (after, ==, before);

  /* The same mark, in its grace, but as entered by the class teacher: not this teacher's. */
  sql = g_strdup_printf ("UPDATE mark SET entered_by = '%s' WHERE id = '%s'",
                         fixture->school.classteacher_id, mark_id);
  g_assert_true (zh_store_exec (fixture->store, sql, &error));
  g_assert_false (zh_offline_delete_mark (fixture->offline, mark_id, fixture->now + 1, &error));
  g_assert_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_MARK_LOCKED);
  g_clear_error (&error);
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM outbox"), ==, 1);
}

/* A mark whose entry was sent (the service may have it) and is then taken back: the put and the
 * delete both go, the delete on the rev the put produced (docs/sync.md "Several edits of one
 * row"). */
static void
test_undo_mark_sent (OfflineFixture *fixture,
                     gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mark_id = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) blocked = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GPtrArray) rest = NULL;
  ZhOperation *op;

  g_assert_true (zh_offline_add_mark (fixture->offline, fixture->school.lesson_today,
                                      fixture->school.students5[2], "4", "answer", "",
                                      fixture->now, &mark_id, &error));
  first = take (fixture);
  g_assert_cmpuint (first->len, ==, 1);
  g_assert_true (zh_offline_delete_mark (fixture->offline, mark_id, fixture->now + 5, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM outbox"), ==, 2);
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM mark WHERE id IN "
                                              "(SELECT entity_id FROM outbox)"), ==, 0);

  /* The put's answer was lost: it goes again alone, the delete waits behind it. */
  blocked = take (fixture);
  g_assert_cmpuint (blocked->len, ==, 1);
  op = blocked->pdata[0];
  g_assert_cmpint (op->action, ==, ZH_OP_ACTION_PUT);
  apply_answer (fixture, blocked, ZH_OP_STATUS_APPLIED, 700, NULL);

  second = take (fixture);
  g_assert_cmpuint (second->len, ==, 1);
  op = second->pdata[0];
  g_assert_cmpint (op->action, ==, ZH_OP_ACTION_DELETE);
  g_assert_cmpstr (op->id, ==, mark_id);
  g_assert_cmpint (op->base_rev, ==, 700);
  apply_answer (fixture, second, ZH_OP_STATUS_APPLIED, 701, NULL);
  rest = take (fixture);
  g_assert_cmpuint (rest->len, ==, 0);
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM outbox"), ==, 0);
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM shadow"), ==, 0);
  g_assert_null (zh_store_get_entity (fixture->store, &zh_mark_info, mark_id, &error));
  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND);
}

/* A refused edit is kept with its reason; discarding it brings back the service's row. */
static void
test_rejected_discard (OfflineFixture *fixture,
                       gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(ZhOutboxEntry) entry = NULL;
  g_autoptr(ZhLesson) lesson = NULL;
  g_autoptr(ZhLesson) restored = NULL;

  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today, "Моя тема",
                                       fixture->now, &error));
  batch = take (fixture);
  apply_answer (fixture, batch, ZH_OP_STATUS_REJECTED, 0, NULL);

  entry = only_entry (fixture, ZH_OUTBOX_REJECTED);
  g_assert_cmpstr (entry->reason_code, ==, "edit_window_closed");
  g_assert_cmpstr (entry->reason_message, ==, "Урок уже нельзя изменить");
  lesson = zh_store_get_entity (fixture->store, &zh_lesson_info, fixture->school.lesson_today, &error);
  g_assert_cmpstr (lesson->topic, ==, "Моя тема");   /* still shown, with the reason */

  g_assert_false (zh_offline_resolve (fixture->offline, entry->op_id, ZH_RESOLVE_KEEP_MINE, &error));
  g_assert_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_STATE);
  g_clear_error (&error);

  g_assert_true (zh_offline_discard (fixture->offline, entry->op_id, &error));
  g_assert_no_error (error);
  restored = zh_store_get_entity (fixture->store, &zh_lesson_info, fixture->school.lesson_today, &error);
  g_assert_cmpstr (restored->topic, ==, "");
  g_assert_cmpint (restored->rev, ==, 100);
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM outbox"), ==, 0);
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM shadow"), ==, 0);
}

/* A conflict keeps both rows; "take theirs" shows the service's, "keep mine" sends mine again on
 * the service's rev under a new op_id (DESIGN.md §3: no silent overwrites). */
static void
test_conflict_resolutions (OfflineFixture *fixture,
                           gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GPtrArray) resent = NULL;
  g_autoptr(ZhOutboxEntry) conflict = NULL;
  g_autoptr(ZhLesson) theirs = zh_store_get_entity (fixture->store, &zh_lesson_info,
                                                    fixture->school.lesson_today, NULL);
  g_autoptr(ZhLesson) mine = NULL;
  g_autoptr(ZhLesson) shown = NULL;
  g_autofree char *theirs_json = NULL;

  g_free (theirs->topic);
  theirs->topic = g_strdup ("Тема завуча");
  theirs->rev = 700;
  theirs_json = zh_entity_to_string (&zh_lesson_info, theirs);

  /* Keep mine. */
  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today, "Моя тема",
                                       fixture->now, &error));
  batch = take (fixture);
  apply_answer (fixture, batch, ZH_OP_STATUS_CONFLICT, 0, theirs_json);
  conflict = only_entry (fixture, ZH_OUTBOX_CONFLICT);
  g_assert_cmpstr (conflict->server_value, ==, theirs_json);
  mine = zh_store_get_entity (fixture->store, &zh_lesson_info, fixture->school.lesson_today, &error);
  g_assert_cmpstr (mine->topic, ==, "Моя тема");
  g_assert_cmpuint (zh_offline_count (fixture->offline, ZH_OUTBOX_CONFLICT), ==, 1);

  g_assert_true (zh_offline_resolve (fixture->offline, conflict->op_id, ZH_RESOLVE_KEEP_MINE, &error));
  g_assert_no_error (error);
  resent = take (fixture);
  g_assert_cmpuint (resent->len, ==, 1);
  g_assert_cmpstr (((ZhOperation *) resent->pdata[0])->op_id, !=, conflict->op_id);
  g_assert_cmpint (((ZhOperation *) resent->pdata[0])->base_rev, ==, 700);

  /* Take theirs. */
  g_clear_pointer (&batch, g_ptr_array_unref);
  g_clear_pointer (&conflict, zh_outbox_entry_free);
  apply_answer (fixture, resent, ZH_OP_STATUS_CONFLICT, 0, theirs_json);
  conflict = only_entry (fixture, ZH_OUTBOX_CONFLICT);
  g_assert_true (zh_offline_resolve (fixture->offline, conflict->op_id, ZH_RESOLVE_TAKE_THEIRS, &error));
  g_assert_no_error (error);
  shown = zh_store_get_entity (fixture->store, &zh_lesson_info, fixture->school.lesson_today, &error);
  g_assert_true (zh_entity_equal (&zh_lesson_info, shown, theirs));
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM outbox"), ==, 0);
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM shadow"), ==, 0);
}

/* ---- pages of the changes feed -------------------------------------------------------------- */

static ZhChangesPage *
page_new (gint64 since)
{
  ZhChangesPage *page = g_new0 (ZhChangesPage, 1);

  page->since = since;
  page->next = since;
  page->changes = g_ptr_array_new ();
  return page;
}

static void
page_add (ZhChangesPage      *page,
          const ZhEntityInfo *info,
          const char         *id,
          gpointer            value)
{
  ZhChange *change = g_new0 (ZhChange, 1);

  change->rev = ++page->next;
  change->info = info;
  change->id = g_strdup (id);
  change->deleted = value == NULL;
  change->value = value;
  if (value != NULL)
    ((ZhEntity *) value)->rev = change->rev;
  g_ptr_array_add (page->changes, change);
}

static void
page_apply (OfflineFixture *fixture,
            ZhChangesPage  *page)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) writer = _zh_offline_open_writer (zh_offline_get_path (fixture->offline), &error);
  guint dangling = 0;

  g_assert_no_error (error);
  g_assert_true (_zh_offline_apply_page (writer, page, &error));
  g_assert_no_error (error);
  g_assert_true (_zh_offline_count_dangling (writer, &dangling, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dangling, ==, 0);
  for (guint i = 0; i < page->changes->len; i++)
    {
      ZhChange *change = page->changes->pdata[i];

      if (change->value != NULL)
        zh_entity_free (change->info, change->value);
      g_free (change->id);
      g_free (change);
    }
  g_ptr_array_set_size (page->changes, 0);
  zh_changes_page_free (page);
}

/* Pulled rows replace the copy's, tombstones delete, the cursor moves in the same transaction. */
static void
test_page_apply_and_tombstone (OfflineFixture *fixture,
                               gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  ZhChangesPage *page = page_new (100);
  ZhLesson *lesson = zh_store_get_entity (fixture->store, &zh_lesson_info, fixture->school.lesson_yesterday, NULL);
  g_autofree char *absence_id = query_text (fixture->store, "SELECT id FROM attendance LIMIT 1");
  g_autoptr(ZhLesson) pulled = NULL;
  g_autoptr(ZhAttendance) gone = NULL;

  g_free (lesson->topic);
  lesson->topic = g_strdup ("Изменено на сервере");
  page_add (page, &zh_lesson_info, lesson->id, lesson);
  page_add (page, &zh_attendance_info, absence_id, NULL);
  page_apply (fixture, page);

  pulled = zh_store_get_entity (fixture->store, &zh_lesson_info, fixture->school.lesson_yesterday, &error);
  g_assert_cmpstr (pulled->topic, ==, "Изменено на сервере");
  g_assert_cmpint (pulled->rev, ==, 101);
  gone = zh_store_get_entity (fixture->store, &zh_attendance_info, absence_id, &error);
  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND);
  g_assert_cmpint (zh_offline_get_cursor (fixture->offline), ==, 102);
}

/* A page fetched for another cursor is refused whole: the feed is applied once, in order. */
static void
test_page_wrong_cursor (OfflineFixture *fixture,
                        gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) writer = _zh_offline_open_writer (zh_offline_get_path (fixture->offline), &error);
  g_autoptr(ZhChangesPage) page = page_new (90);
  g_autofree char *before = dump_tables (fixture->store);
  g_autofree char *after = NULL;

  page->next = 120;
  g_assert_false (_zh_offline_apply_page (writer, page, &error));
  g_assert_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_STATE);
  after = dump_tables (fixture->store);
  g_assert_cmpstr (after, ==, before);
}

/* A page whose write is cancelled midway changes nothing, its cursor included. SQLite rolls the
 * whole transaction back when it interrupts a statement; the rest of the page once went on
 * outside it, each row committed alone and the cursor moved past the rows rolled back, which a
 * later sync then never pulled again (found by the fault test, with a sync that cancels its page
 * when a fetch fails). */
static void
test_page_cancelled_midway (OfflineFixture *fixture,
                            gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) writer = _zh_offline_open_writer (zh_offline_get_path (fixture->offline), &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ZhLesson) model = zh_store_get_entity (fixture->store, &zh_lesson_info,
                                                   fixture->school.lesson_yesterday, NULL);
  g_autofree char *before = dump_tables (fixture->store);
  g_autofree char *after = NULL;
  ZhChangesPage *page = page_new (zh_offline_get_cursor (fixture->offline));
  gint64 cursor = page->since;

  /* Lessons of the group on 300 other days: new rows, each a plain upsert. */
  for (guint i = 0; i < 300; i++)
    {
      ZhLesson *lesson = zh_entity_copy (&zh_lesson_info, model);
      g_autoptr(GDateTime) day = g_date_time_new_utc (2001 + i / 200, 1 + (i % 200) / 28, 1 + i % 28, 0, 0, 0);

      g_free (lesson->id);
      lesson->id = zh_uuid_new ();
      g_free (lesson->date);
      lesson->date = g_date_time_format (day, "%F");
      page_add (page, &zh_lesson_info, lesson->id, lesson);
    }

  /* SQLite's progress handler, which checks the cancellable, runs every 1,000 steps of a
   * statement's program, counted over its runs: it stops the page after some rows. */
  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  zh_store_set_cancellable (writer, cancellable);
  g_assert_false (_zh_offline_apply_page (writer, page, &error));
  g_assert_nonnull (error);
  zh_store_set_cancellable (writer, NULL);

  g_assert_cmpint (zh_offline_get_cursor (fixture->offline), ==, cursor);
  after = dump_tables (fixture->store);
  g_assert_cmpstr (after, ==, before);

  for (guint i = 0; i < page->changes->len; i++)
    {
      ZhChange *change = page->changes->pdata[i];

      zh_entity_free (change->info, change->value);
      g_free (change->id);
      g_free (change);
    }
  g_ptr_array_set_size (page->changes, 0);
  zh_changes_page_free (page);
}

/* The display rule: a pulled row does not overwrite a row with a local edit waiting; once the
 * edit is answered, the service's newer row is shown. */
static void
test_display_rule (OfflineFixture *fixture,
                   gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  ZhChangesPage *page = page_new (100);
  ZhLesson *theirs = zh_store_get_entity (fixture->store, &zh_lesson_info, fixture->school.lesson_today, NULL);
  g_autoptr(ZhLesson) shown = NULL;
  g_autoptr(ZhLesson) after = NULL;

  g_assert_true (zh_offline_set_topic (fixture->offline, fixture->school.lesson_today, "Моя тема",
                                       fixture->now, &error));
  batch = take (fixture);

  g_free (theirs->homework);
  theirs->homework = g_strdup ("Задание завуча");
  page->next = 599;
  page_add (page, &zh_lesson_info, theirs->id, theirs);   /* rev 600 */
  page_apply (fixture, page);

  shown = zh_store_get_entity (fixture->store, &zh_lesson_info, fixture->school.lesson_today, &error);
  g_assert_cmpstr (shown->topic, ==, "Моя тема");
  g_assert_cmpstr (shown->homework, ==, "");
  g_assert_cmpint (query_int (fixture->store, "SELECT rev FROM shadow"), ==, 600);

  /* Applied at an older rev than the one pulled: the pulled row is the service's newer state. */
  apply_answer (fixture, batch, ZH_OP_STATUS_APPLIED, 550, NULL);
  after = zh_store_get_entity (fixture->store, &zh_lesson_info, fixture->school.lesson_today, &error);
  g_assert_cmpstr (after->homework, ==, "Задание завуча");
  g_assert_cmpint (after->rev, ==, 600);
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM shadow"), ==, 0);
}

/* A pulled absence of the same student and lesson as a local one not yet accepted waits; when
 * the local one is refused and discarded, the service's is shown. */
static void
test_unique_clash_waits (OfflineFixture *fixture,
                         gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(ZhOutboxEntry) entry = NULL;
  ZhChangesPage *page = page_new (100);
  ZhAttendance *theirs = zh_attendance_new ();
  g_autofree char *theirs_id = zh_uuid_new ();
  g_autofree char *mine_id = NULL;
  g_autoptr(ZhAttendance) shown = NULL;

  g_assert_true (zh_offline_set_absence (fixture->offline, fixture->school.lesson_today,
                                         fixture->school.students5[4], ZH_ATTENDANCE_LATE,
                                         fixture->now, &error));
  batch = take (fixture);
  mine_id = g_strdup (((ZhOperation *) batch->pdata[0])->id);

  theirs->id = g_strdup (theirs_id);
  theirs->lesson_id = g_strdup (fixture->school.lesson_today);
  theirs->student_id = g_strdup (fixture->school.students5[4]);
  theirs->code = ZH_ATTENDANCE_ABSENT;
  theirs->comment = g_strdup ("");
  theirs->entered_at = fixture->now;
  page_add (page, &zh_attendance_info, theirs_id, theirs);
  page_apply (fixture, page);
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM attendance WHERE code = 'late'"), ==, 1);

  apply_answer (fixture, batch, ZH_OP_STATUS_REJECTED, 0, NULL);
  entry = only_entry (fixture, ZH_OUTBOX_REJECTED);
  g_assert_true (zh_offline_discard (fixture->offline, entry->op_id, &error));
  g_assert_no_error (error);
  shown = zh_store_get_entity (fixture->store, &zh_attendance_info, theirs_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (shown->code, ==, ZH_ATTENDANCE_ABSENT);
  g_assert_cmpint (shown->rev, ==, 101);
  g_assert_null (zh_store_get_entity (fixture->store, &zh_attendance_info, mine_id, NULL));
  g_assert_cmpint (query_int (fixture->store, "SELECT count (*) FROM shadow"), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_home = zh_test_tmpdir_new ();
  int status;

  /* Before anything asks GLib for the user's folders (it keeps the first answer). */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, OfflineFixture, NULL, offline_setup, func, offline_teardown)

  g_test_add_func ("/offline/path/private-and-xdg", test_path_private);
  ADD ("/offline/edit/mark-with-its-operation", test_edit_mark_with_op);
  ADD ("/offline/edit/double-mark-and-change", test_double_mark_and_change);
  ADD ("/offline/refused/correction-role-and-reason", test_correction_refused);
  ADD ("/offline/edit/base-rev-and-shadow", test_edit_topic_base_rev);
  ADD ("/offline/edit/topic-links-plan-item", test_topic_links_plan_item);
  ADD ("/offline/refused/grade-1-marks", test_refused_grade1);
  ADD ("/offline/refused/edit-window", test_refused_edit_window);
  ADD ("/offline/refused/not-my-group", test_refused_not_my_group);
  ADD ("/offline/edit/absence-reason-by-class-teacher", test_absence_reason_class_teacher);
  ADD ("/offline/undo/reason-gives-back-the-code", test_take_back_reason);
  ADD ("/offline/undo/reason-refused-as-setting-it", test_take_back_reason_refused);
  ADD ("/offline/edit/homework-rules", test_homework_rules);
  ADD ("/offline/edit/add-lesson", test_add_lesson);
  ADD ("/offline/period-mark/in-the-window", test_period_mark_in_window);
  ADD ("/offline/period-mark/after-the-window", test_period_mark_after_window);
  ADD ("/offline/period-mark/not-the-teacher", test_period_mark_not_teacher);
  ADD ("/offline/period-mark/allowed-values", test_period_mark_values);
  ADD ("/offline/period-mark/replacing", test_period_mark_replace);
  ADD ("/offline/outbox/coalesce-unsent", test_coalesce_unsent);
  ADD ("/offline/outbox/made-and-removed", test_made_and_removed);
  ADD ("/offline/answers/chain-base-rev", test_chain_base_rev);
  ADD ("/offline/undo/mark-within-grace", test_undo_mark_within_grace);
  ADD ("/offline/undo/mark-refused-after-grace", test_undo_mark_refused_after_grace);
  ADD ("/offline/undo/mark-sent-then-deleted", test_undo_mark_sent);
  ADD ("/offline/answers/rejected-discard", test_rejected_discard);
  ADD ("/offline/answers/conflict-resolutions", test_conflict_resolutions);
  ADD ("/offline/pull/apply-and-tombstone", test_page_apply_and_tombstone);
  ADD ("/offline/pull/wrong-cursor", test_page_wrong_cursor);
  ADD ("/offline/pull/cancelled-midway", test_page_cancelled_midway);
  ADD ("/offline/pull/display-rule", test_display_rule);
  ADD ("/offline/pull/unique-clash-waits", test_unique_clash_waits);

  status = g_test_run ();
  zh_test_tmpdir_free (g_steal_pointer (&data_home));
  return status;
}
