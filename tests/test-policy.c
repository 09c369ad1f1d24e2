/* test-policy: the school policy (parsing, defaults) and every rule of zh-policy.c, each test
 * naming the clause of the regulations it checks (files in /work/shared/regulations: 000 … 004). */
#define G_LOG_DOMAIN "test-policy"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "zh-policy.h"

#define OK (-1)   /* expected "no error" in the tables */

static ZhPolicy *
policy_from (const char *json)
{
  g_autoptr(GError) error = NULL;
  ZhPolicy *policy = zh_policy_new_from_json (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (policy);
  return policy;
}

/* "2025-10-06 17:00:00" on the school's clock → seconds since the epoch. */
static gint64
local (const ZhPolicy *policy,
       const char     *when)
{
  int y, mo, d, h, mi, s;
  g_autoptr(GDateTime) t = NULL;

  g_assert_cmpint (sscanf (when, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s), ==, 6);
  t = g_date_time_new (zh_policy_get_timezone (policy), y, mo, d, h, mi, s);
  g_assert_nonnull (t);
  return g_date_time_to_unix (t);
}

static void
date_from (const char *s,
           GDate      *date)
{
  int y, m, d;

  g_assert_cmpint (sscanf (s, "%d-%d-%d", &y, &m, &d), ==, 3);
  g_date_clear (date, 1);
  g_date_set_dmy (date, d, m, y);
}

static void
assert_error_code (const GError *error,
                   int           expected)
{
  if (expected == OK)
    {
      g_assert_no_error (error);
      return;
    }
  g_assert_nonnull (error);
  if (!g_error_matches (error, ZH_POLICY_ERROR, expected))
    g_error ("expected %s, got %s: %s", zh_policy_error_to_code (&(GError) { ZH_POLICY_ERROR,
                                                                             expected, NULL }),
             zh_policy_error_to_code (error), error->message);
  /* Every refusal says something to the user. */
  g_assert_cmpuint (strlen (error->message), >, 10);
}

/* Defaults are REQUIREMENTS.md §3; "{}" means all of them. */

/* The forms of control and weights every part of the project (the demo school too) relies on
 * (002 §5.2: marks "according to the forms of control and their coefficient"). */
static const struct
{
  const char *code;
  double      weight;
} expected_work_types[] = {
  { "answer", 1.0 }, { "homework", 1.0 }, { "independent", 1.5 }, { "quiz", 1.5 },
  { "practical", 1.5 }, { "lab", 1.5 }, { "project", 1.5 }, { "dictation", 2.0 },
  { "essay", 2.0 }, { "exposition", 2.0 }, { "test", 2.0 },
};

static void
check_defaults (const ZhPolicy *p)
{
  double r5, r4, r3;
  GDate date, year_start;

  g_assert_cmpstr (zh_policy_get_timezone_id (p), ==, "Europe/Moscow");
  g_assert_cmpuint (zh_policy_get_n_lessons (p), ==, 10);
  g_assert_cmpuint (zh_policy_get_lesson_minutes (p), ==, 45);
  g_assert_cmpuint (zh_policy_get_record_deadline (p), ==, 17 * 60);          /* 000 §3.5.2 */
  g_assert_cmpuint (zh_policy_get_homework_deadline_minutes (p), ==, 60);     /* 000 §4.2.2 */
  g_assert_cmpuint (zh_policy_get_marks_deadline_days (p), ==, 7);            /* 000 §4.2.3 */
  g_assert_cmpuint (zh_policy_get_period_marks_deadline_days (p), ==, 3);     /* 000 §4.2.4 */
  g_assert_cmpuint (zh_policy_get_edit_window_days (p), ==, 14);              /* 004 §3.6 */
  g_assert_cmpuint (zh_policy_get_undo_seconds (p), ==, 600);
  zh_policy_get_rounding (p, &r5, &r4, &r3);
  g_assert_cmpfloat (r5, ==, 4.5);
  g_assert_cmpfloat (r4, ==, 3.5);
  g_assert_cmpfloat (r3, ==, 2.5);
  g_assert_cmpuint (zh_policy_min_marks (p, 1), ==, 3);                       /* 000 §7.2 */

  /* 000 §3.11: grade 1 has no marks; 004 §3.9's grade 2 first half-year is off by default. */
  date_from ("2025-10-06", &date);
  date_from ("2025-09-01", &year_start);
  g_assert_false (zh_policy_marks_allowed (p, 1, &date, &year_start));
  g_assert_true (zh_policy_marks_allowed (p, 2, &date, &year_start));

  /* 001 §4.2, 002 §5.1: quarters in 1–9, half-years in 10–11. */
  for (int g = 1; g <= 9; g++)
    g_assert_cmpint (zh_policy_get_period_kind (p, g), ==, ZH_PERIOD_KIND_QUARTER);
  g_assert_cmpint (zh_policy_get_period_kind (p, 10), ==, ZH_PERIOD_KIND_HALF);
  g_assert_cmpint (zh_policy_get_period_kind (p, 11), ==, ZH_PERIOD_KIND_HALF);

  g_assert_cmpuint (zh_policy_get_n_work_types (p), ==, G_N_ELEMENTS (expected_work_types));
  for (guint i = 0; i < G_N_ELEMENTS (expected_work_types); i++)
    {
      const char *title = NULL, *abbr = NULL;
      double weight = 0;

      g_assert_cmpstr (zh_policy_get_work_type_code (p, i), ==, expected_work_types[i].code);
      g_assert_true (zh_policy_lookup_work_type (p, expected_work_types[i].code, &title, &abbr,
                                                 &weight));
      g_assert_cmpfloat (weight, ==, expected_work_types[i].weight);
      g_assert_cmpuint (strlen (title), >, 0);
      g_assert_cmpuint (strlen (abbr), >, 0);
    }

  g_assert_cmpuint (zh_policy_get_n_mark_values (p), ==, 7);
  for (guint i = 0; i < 7; i++)
    g_assert_cmpstr (zh_policy_get_mark_value_code (p, i), ==,
                     ((const char *[]) { "5", "4", "3", "2", "1", "pass", "fail" })[i]);
  g_assert_cmpstr (zh_policy_get_mark_text (p, "4"), ==, "4");
  for (int c = ZH_ATTENDANCE_ABSENT; c <= ZH_ATTENDANCE_LATE; c++)
    g_assert_nonnull (zh_policy_get_attendance_text (p, c));

  /* 002 §7: the deputy and the journal's administrator correct marks; the director does not. */
  g_assert_true (zh_policy_role_may_correct (p, ZH_ROLE_DEPUTY));
  g_assert_true (zh_policy_role_may_correct (p, ZH_ROLE_ADMIN));
  g_assert_false (zh_policy_role_may_correct (p, ZH_ROLE_DIRECTOR));
  g_assert_false (zh_policy_role_may_correct (p, ZH_ROLE_TEACHER | ZH_ROLE_CLASS_TEACHER));
}

/* REQUIREMENTS §3: the defaults, and "{}" stands for them and is written back as "{}". */
static void
test_json_defaults (void)
{
  g_autoptr(ZhPolicy) def = zh_policy_new_default ();
  g_autoptr(ZhPolicy) empty = policy_from ("{}");
  g_autofree char *json = zh_policy_to_json (empty);
  g_autofree char *def_json = zh_policy_to_json (def);

  check_defaults (def);
  check_defaults (empty);
  g_assert_cmpstr (json, ==, "{}");
  g_assert_cmpstr (def_json, ==, "{}");
}

/* REQUIREMENTS §3: schools differ — 002 §5.2 wants records by 18:00, 004 §3.9 no marks in grade 2's
 * first half, Novosibirsk rounds at 4.65; each is a setting, and what a school sets survives a
 * round trip through the JSON it is stored as. */
static void
test_json_overrides (void)
{
  static const char *json =
    "{\"timezone\": \"Asia/Yekaterinburg\","
    " \"lesson_starts\": [\"08:00\", \"08:50\", \"09:40\"],"
    " \"lesson_minutes\": 40,"
    " \"record_deadline\": \"18:00\","
    " \"homework_deadline_minutes\": 30,"
    " \"marks_deadline_days\": 5,"
    " \"period_marks_deadline_days\": 2,"
    " \"edit_window_days\": 7,"
    " \"undo_seconds\": 120,"
    " \"no_marks_grades\": [1],"
    " \"no_marks_grade2_first_half\": true,"
    " \"rounding\": {\"5\": 4.65, \"4\": 3.65, \"3\": 2.65},"
    " \"min_marks\": [{\"hours\": 1, \"marks\": 3}, {\"hours\": 3, \"marks\": 6}],"
    " \"mark_values\": [{\"code\": \"5\", \"text\": \"5\", \"value\": 5},"
    "                   {\"code\": \"4\", \"text\": \"4\", \"value\": 4},"
    "                   {\"code\": \"3\", \"text\": \"3\", \"value\": 3},"
    "                   {\"code\": \"2\", \"text\": \"2\", \"value\": 2},"
    "                   {\"code\": \"pass\", \"text\": \"зач\", \"period\": false}],"
    " \"attendance_codes\": {\"absent\": \"н\", \"ill\": \"б\", \"valid\": \"у\","
    "                        \"invalid\": \"п\"},"
    " \"work_types\": [{\"code\": \"answer\", \"title\": \"Ответ\", \"abbr\": \"отв\","
    "                   \"weight\": 1},"
    "                  {\"code\": \"test\", \"title\": \"Контрольная работа\","
    "                   \"abbr\": \"к/р\", \"weight\": 3}],"
    " \"periods\": [{\"grades\": [1, 11], \"kind\": \"trimester\"}],"
    " \"correction_roles\": [\"deputy\", \"director\"]}";
  g_autoptr(ZhPolicy) p = policy_from (json);
  g_autoptr(ZhPolicy) again = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out_again = NULL;
  const char *title = NULL, *abbr = NULL, *text = NULL;
  double weight = 0, r5, r4, r3, value;
  gboolean numeric = TRUE;
  ZhMarkUse use = 0;
  ZhAttendanceCode code;

  g_assert_cmpstr (zh_policy_get_timezone_id (p), ==, "Asia/Yekaterinburg");
  g_assert_cmpuint (zh_policy_get_n_lessons (p), ==, 3);
  g_assert_cmpuint (zh_policy_get_lesson_minutes (p), ==, 40);
  g_assert_cmpuint (zh_policy_get_record_deadline (p), ==, 18 * 60);
  g_assert_cmpuint (zh_policy_get_homework_deadline_minutes (p), ==, 30);
  g_assert_cmpuint (zh_policy_get_marks_deadline_days (p), ==, 5);
  g_assert_cmpuint (zh_policy_get_period_marks_deadline_days (p), ==, 2);
  g_assert_cmpuint (zh_policy_get_edit_window_days (p), ==, 7);
  g_assert_cmpuint (zh_policy_get_undo_seconds (p), ==, 120);
  zh_policy_get_rounding (p, &r5, &r4, &r3);
  g_assert_cmpfloat (r5, ==, 4.65);
  g_assert_cmpfloat (r4, ==, 3.65);
  g_assert_cmpfloat (r3, ==, 2.65);
  g_assert_cmpuint (zh_policy_min_marks (p, 2), ==, 6);
  g_assert_cmpint (zh_policy_get_period_kind (p, 5), ==, ZH_PERIOD_KIND_TRIMESTER);
  g_assert_true (zh_policy_role_may_correct (p, ZH_ROLE_DIRECTOR));
  g_assert_false (zh_policy_role_may_correct (p, ZH_ROLE_ADMIN));

  g_assert_cmpuint (zh_policy_get_n_work_types (p), ==, 2);
  g_assert_true (zh_policy_lookup_work_type (p, "test", &title, &abbr, &weight));
  g_assert_cmpstr (title, ==, "Контрольная работа");
  g_assert_cmpstr (abbr, ==, "к/р");
  g_assert_cmpfloat (weight, ==, 3);
  g_assert_false (zh_policy_lookup_work_type (p, "essay", NULL, NULL, NULL));

  g_assert_cmpuint (zh_policy_get_n_mark_values (p), ==, 5);
  g_assert_true (zh_policy_lookup_mark_value (p, "pass", &text, &numeric, &value, &use));
  g_assert_cmpstr (text, ==, "зач");
  g_assert_false (numeric);
  g_assert_cmpint (use, ==, ZH_MARK_USE_CURRENT);
  g_assert_null (zh_policy_get_mark_text (p, "1"));

  g_assert_cmpstr (zh_policy_get_attendance_text (p, ZH_ATTENDANCE_ABSENT), ==, "н");
  g_assert_null (zh_policy_get_attendance_text (p, ZH_ATTENDANCE_LATE));
  g_assert_true (zh_policy_attendance_from_text (p, " Б ", &code));
  g_assert_cmpint (code, ==, ZH_ATTENDANCE_ILL);

  out = zh_policy_to_json (p);
  again = policy_from (out);
  out_again = zh_policy_to_json (again);
  g_assert_cmpstr (out, ==, out_again);
  g_assert_nonnull (strstr (out, "\"record_deadline\":\"18:00\""));
  g_assert_null (strstr (out, "late"));
}

/* A setting left out keeps its default; one given is written back, and only it. */
static void
test_json_partial (void)
{
  g_autoptr(ZhPolicy) p = policy_from ("{\"rounding\": {\"5\": 4.6}, \"edit_window_days\": 7}");
  g_autofree char *out = zh_policy_to_json (p);
  double r5, r4, r3;

  zh_policy_get_rounding (p, &r5, &r4, &r3);
  g_assert_cmpfloat (r5, ==, 4.6);
  g_assert_cmpfloat (r4, ==, 3.5);
  g_assert_cmpfloat (r3, ==, 2.5);
  g_assert_cmpuint (zh_policy_get_edit_window_days (p), ==, 7);
  g_assert_cmpuint (zh_policy_get_marks_deadline_days (p), ==, 7);
  g_assert_cmpstr (out, ==,
                   "{\"edit_window_days\":7,\"rounding\":{\"5\":4.6,\"4\":3.5,\"3\":2.5}}");
}

typedef struct
{
  const char *json;
  int         code;
  const char *member;   /* the message names it */
} BadPolicy;

static const BadPolicy bad_policies[] = {
  { "", ZH_POLICY_ERROR_PARSE, NULL },
  { "{", ZH_POLICY_ERROR_PARSE, NULL },
  { "[]", ZH_POLICY_ERROR_PARSE, NULL },
  { "null", ZH_POLICY_ERROR_PARSE, NULL },
  { "\"{}\"", ZH_POLICY_ERROR_PARSE, NULL },
  { "{\"colour\": 1}", ZH_POLICY_ERROR_UNKNOWN_SETTING, "colour" },
  { "{\"edit_window_days\": \"14\"}", ZH_POLICY_ERROR_WRONG_TYPE, "edit_window_days" },
  { "{\"edit_window_days\": 14.5}", ZH_POLICY_ERROR_WRONG_TYPE, "edit_window_days" },
  { "{\"edit_window_days\": null}", ZH_POLICY_ERROR_WRONG_TYPE, "edit_window_days" },
  { "{\"edit_window_days\": -1}", ZH_POLICY_ERROR_INVALID_VALUE, "edit_window_days" },
  { "{\"undo_seconds\": 100000}", ZH_POLICY_ERROR_INVALID_VALUE, "undo_seconds" },
  { "{\"timezone\": \"Mars/Olympus_Mons\"}", ZH_POLICY_ERROR_INVALID_VALUE, "timezone" },
  { "{\"timezone\": 3}", ZH_POLICY_ERROR_WRONG_TYPE, "timezone" },
  { "{\"lesson_starts\": []}", ZH_POLICY_ERROR_INVALID_VALUE, "lesson_starts" },
  { "{\"lesson_starts\": [\"8:30\"]}", ZH_POLICY_ERROR_INVALID_VALUE, "lesson_starts[0]" },
  { "{\"lesson_starts\": [\"08:30\", \"08:00\"]}", ZH_POLICY_ERROR_INVALID_VALUE,
    "lesson_starts[1]" },
  { "{\"lesson_starts\": \"08:30\"}", ZH_POLICY_ERROR_WRONG_TYPE, "lesson_starts" },
  { "{\"lesson_starts\": [\"08:30\", \"09:00\"], \"lesson_minutes\": 45}",
    ZH_POLICY_ERROR_INVALID_VALUE, "lesson_starts" },
  { "{\"lesson_starts\": [\"23:30\"]}", ZH_POLICY_ERROR_INVALID_VALUE, "lesson_starts" },
  { "{\"record_deadline\": \"25:00\"}", ZH_POLICY_ERROR_INVALID_VALUE, "record_deadline" },
  { "{\"record_deadline\": \"  \"}", ZH_POLICY_ERROR_INVALID_VALUE, "record_deadline" },
  { "{\"no_marks_grades\": [12]}", ZH_POLICY_ERROR_INVALID_VALUE, "no_marks_grades[0]" },
  { "{\"no_marks_grades\": [\"1\"]}", ZH_POLICY_ERROR_WRONG_TYPE, "no_marks_grades[0]" },
  { "{\"no_marks_grade2_first_half\": 1}", ZH_POLICY_ERROR_WRONG_TYPE,
    "no_marks_grade2_first_half" },
  { "{\"rounding\": {\"5\": 3.5, \"4\": 4.5}}", ZH_POLICY_ERROR_INVALID_VALUE, "rounding" },
  { "{\"rounding\": {\"4\": 2.5}}", ZH_POLICY_ERROR_INVALID_VALUE, "rounding" },
  { "{\"rounding\": {\"6\": 4}}", ZH_POLICY_ERROR_UNKNOWN_SETTING, "rounding.6" },
  { "{\"rounding\": {\"5\": \"4.5\"}}", ZH_POLICY_ERROR_WRONG_TYPE, "rounding.5" },
  { "{\"rounding\": {\"5\": 7}}", ZH_POLICY_ERROR_INVALID_VALUE, "rounding.5" },
  { "{\"rounding\": [4.5, 3.5, 2.5]}", ZH_POLICY_ERROR_WRONG_TYPE, "rounding" },
  { "{\"min_marks\": [{\"hours\": 2, \"marks\": 4}, {\"hours\": 1, \"marks\": 3}]}",
    ZH_POLICY_ERROR_INVALID_VALUE, "min_marks" },
  { "{\"min_marks\": [{\"hours\": 1}]}", ZH_POLICY_ERROR_INVALID_VALUE, "min_marks[0].marks" },
  { "{\"min_marks\": [{\"hours\": 1, \"marks\": 0}]}", ZH_POLICY_ERROR_INVALID_VALUE,
    "min_marks[0].marks" },
  { "{\"mark_values\": [{\"code\": \"exempt\", \"text\": \"осв\"}]}",
    ZH_POLICY_ERROR_INVALID_VALUE, "mark_values[0].code" },
  { "{\"mark_values\": [{\"code\": \"na\", \"text\": \"н/а\", \"current\": false}]}",
    ZH_POLICY_ERROR_INVALID_VALUE, "mark_values[0].text" },
  { "{\"mark_values\": [{\"code\": \"5\", \"text\": \"5\", \"value\": 5}]}",
    ZH_POLICY_ERROR_INVALID_VALUE, "mark_values" },
  { "{\"mark_values\": [{\"code\": \"5\", \"text\": \"5\", \"value\": 5},"
    "                   {\"code\": \"5\", \"text\": \"5\", \"value\": 5}]}",
    ZH_POLICY_ERROR_INVALID_VALUE, "mark_values[1].code" },
  { "{\"mark_values\": [{\"code\": \"5\", \"text\": \"5\", \"value\": 6}]}",
    ZH_POLICY_ERROR_INVALID_VALUE, "mark_values[0].value" },
  { "{\"mark_values\": [{\"code\": \"5\", \"text\": \"5\", \"current\": false,"
    "                    \"period\": false}]}",
    ZH_POLICY_ERROR_INVALID_VALUE, "mark_values[0]" },
  { "{\"mark_values\": [{\"code\": \"5\", \"text\": \"5\", \"colour\": \"red\"}]}",
    ZH_POLICY_ERROR_UNKNOWN_SETTING, "mark_values[0].colour" },
  { "{\"attendance_codes\": {\"ill\": \"б\"}}", ZH_POLICY_ERROR_INVALID_VALUE,
    "attendance_codes.absent" },
  { "{\"attendance_codes\": {\"absent\": \"н\", \"sick\": \"б\"}}",
    ZH_POLICY_ERROR_UNKNOWN_SETTING, "attendance_codes.sick" },
  { "{\"attendance_codes\": {\"absent\": \"н\", \"ill\": \"н\"}}",
    ZH_POLICY_ERROR_INVALID_VALUE, "attendance_codes.ill" },
  { "{\"attendance_codes\": {\"absent\": \"н\", \"ill\": \"Н\", \"valid\": \"н\"}}",
    ZH_POLICY_ERROR_INVALID_VALUE, "attendance_codes.ill" },
  { "{\"attendance_codes\": {\"absent\": 1}}", ZH_POLICY_ERROR_WRONG_TYPE,
    "attendance_codes.absent" },
  { "{\"work_types\": [{\"code\": \"Test\", \"title\": \"К/р\", \"abbr\": \"к/р\","
    " \"weight\": 2}]}", ZH_POLICY_ERROR_INVALID_VALUE, "work_types[0].code" },
  { "{\"work_types\": [{\"code\": \"test\", \"title\": \"К/р\", \"abbr\": \"к/р\","
    " \"weight\": 0}]}", ZH_POLICY_ERROR_INVALID_VALUE, "work_types[0].weight" },
  { "{\"work_types\": [{\"code\": \"test\", \"title\": \"\", \"abbr\": \"к/р\","
    " \"weight\": 2}]}", ZH_POLICY_ERROR_INVALID_VALUE, "work_types[0].title" },
  { "{\"work_types\": [{\"code\": \"test\", \"title\": \"К/р\", \"weight\": 2}]}",
    ZH_POLICY_ERROR_INVALID_VALUE, "work_types[0].abbr" },
  { "{\"work_types\": [{\"code\": \"test\", \"title\": \"К/р\", \"abbr\": \"к/р\","
    " \"weight\": 2, \"colour\": 1}]}", ZH_POLICY_ERROR_UNKNOWN_SETTING, "work_types[0].colour" },
  { "{\"work_types\": []}", ZH_POLICY_ERROR_INVALID_VALUE, "work_types" },
  { "{\"periods\": [{\"grades\": [1, 9], \"kind\": \"quarter\"}]}",
    ZH_POLICY_ERROR_INVALID_VALUE, "periods" },
  { "{\"periods\": [{\"grades\": [1, 9], \"kind\": \"quarter\"},"
    "              {\"grades\": [9, 11], \"kind\": \"half\"}]}",
    ZH_POLICY_ERROR_INVALID_VALUE, "periods" },
  { "{\"periods\": [{\"grades\": [11, 1], \"kind\": \"quarter\"}]}",
    ZH_POLICY_ERROR_INVALID_VALUE, "periods[0].grades" },
  { "{\"periods\": [{\"grades\": [1, 11], \"kind\": \"semester\"}]}",
    ZH_POLICY_ERROR_INVALID_VALUE, "periods[0].kind" },
  { "{\"correction_roles\": [\"teacher\"]}", ZH_POLICY_ERROR_INVALID_VALUE,
    "correction_roles[0]" },
  { "{\"correction_roles\": []}", ZH_POLICY_ERROR_INVALID_VALUE, "correction_roles" },
};

/* Every kind of bad policy is refused, with a message naming the member at fault. */
static void
test_json_bad (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_policies); i++)
    {
      const BadPolicy *b = &bad_policies[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(ZhPolicy) p = zh_policy_new_from_json (b->json, &error);

      g_test_message ("policy %s", b->json);
      g_assert_null (p);
      assert_error_code (error, b->code);
      if (b->member != NULL)
        {
          g_autofree char *quoted = g_strdup_printf ("“%s", b->member);
          g_assert_nonnull (strstr (error->message, quoted));
        }
    }
}

/* The API's error codes are the nicks of ZhPolicyError and go both ways. */
static void
test_error_codes (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (ZH_TYPE_POLICY_ERROR);
  g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
  ZhPolicyError code;

  for (guint i = 0; i < klass->n_values; i++)
    {
      GError e = { ZH_POLICY_ERROR, klass->values[i].value, (char *) "x" };

      g_assert_cmpstr (zh_policy_error_to_code (&e), ==, klass->values[i].value_nick);
      g_assert_true (zh_policy_error_from_code (klass->values[i].value_nick, &code));
      g_assert_cmpint (code, ==, klass->values[i].value);
    }
  g_assert_cmpstr (zh_policy_error_to_code (&(GError) { ZH_POLICY_ERROR,
                                                        ZH_POLICY_ERROR_EDIT_WINDOW_CLOSED,
                                                        (char *) "x" }),
                   ==, "edit_window_closed");
  g_assert_null (zh_policy_error_to_code (other));
  g_assert_false (zh_policy_error_from_code ("no_such_code", &code));
}

/* Weighted average (DESIGN.md §5; 002 §5.2 "forms of control and their coefficient"). */

typedef struct
{
  const char *value;
  const char *work_type;
  double      weight;
  ZhMarkState state;
  int         part;
} MarkSpec;

typedef struct
{
  const char *name;
  MarkSpec    marks[4];
  guint       n_marks;
  gboolean    counted;
  double      average;
  guint       count;
} AverageCase;

static const AverageCase average_cases[] = {
  { "weights", { { "5", "answer", 1, ZH_MARK_STATE_ACTIVE, 0 },
                 { "4", "test", 2, ZH_MARK_STATE_ACTIVE, 0 } }, 2, TRUE, 13.0 / 3, 2 },
  /* A corrected mark is replaced by its correction and no longer counts (002 §7). */
  { "corrected left out", { { "5", "answer", 1, ZH_MARK_STATE_ACTIVE, 0 },
                            { "2", "test", 2, ZH_MARK_STATE_CORRECTED, 0 } }, 2, TRUE, 5, 1 },
  { "only corrected", { { "2", "test", 2, ZH_MARK_STATE_CORRECTED, 0 },
                        { "3", "test", 2, ZH_MARK_STATE_CORRECTED, 0 } }, 2, FALSE, 0, 0 },
  /* зачёт/незачёт have no number. */
  { "pass/fail ignored", { { "pass", "answer", 1, ZH_MARK_STATE_ACTIVE, 0 },
                           { "fail", "answer", 1, ZH_MARK_STATE_ACTIVE, 0 },
                           { "4", "answer", 1, ZH_MARK_STATE_ACTIVE, 0 } }, 3, TRUE, 4, 1 },
  { "only pass", { { "pass", "answer", 1, ZH_MARK_STATE_ACTIVE, 0 } }, 1, FALSE, 0, 0 },
  /* 002 §5.2: an essay gets a double mark; both halves count. */
  { "double mark counts both", { { "5", "essay", 2, ZH_MARK_STATE_ACTIVE, 1 },
                                 { "3", "essay", 2, ZH_MARK_STATE_ACTIVE, 2 },
                                 { "4", "answer", 1, ZH_MARK_STATE_ACTIVE, 0 } }, 3, TRUE,
    20.0 / 5, 3 },
  /* A mark without its own weight takes its form of control's. */
  { "weight from work type", { { "5", "test", 0, ZH_MARK_STATE_ACTIVE, 0 },
                               { "2", "answer", 0, ZH_MARK_STATE_ACTIVE, 0 } }, 2, TRUE, 4, 2 },
  { "not on the scale", { { "7", "answer", 1, ZH_MARK_STATE_ACTIVE, 0 },
                          { "3", "answer", 1, ZH_MARK_STATE_ACTIVE, 0 } }, 2, TRUE, 3, 1 },
  { "none", { { NULL, } }, 0, FALSE, 0, 0 },
};

static void
test_weighted_average (void)
{
  g_autoptr(ZhPolicy) p = zh_policy_new_default ();

  for (guint i = 0; i < G_N_ELEMENTS (average_cases); i++)
    {
      const AverageCase *c = &average_cases[i];
      ZhMark marks[4] = { { NULL, }, };
      ZhMark *ptrs[4];
      double average = -1;
      guint count = 99;

      g_test_message ("average: %s", c->name);
      for (guint j = 0; j < c->n_marks; j++)
        {
          marks[j].value = (char *) c->marks[j].value;
          marks[j].work_type = (char *) c->marks[j].work_type;
          marks[j].weight = c->marks[j].weight;
          marks[j].state = c->marks[j].state;
          marks[j].part = c->marks[j].part;
          ptrs[j] = &marks[j];
        }
      g_assert_cmpint (zh_policy_weighted_average (p, ptrs, c->n_marks, &average, &count), ==,
                       c->counted);
      g_assert_cmpfloat_with_epsilon (average, c->average, 1e-12);
      g_assert_cmpuint (count, ==, c->count);
    }
}

/* The suggested period mark by each school's rounding thresholds (REQUIREMENTS §5, DESIGN §5):
 * 4.5/3.5/2.5, 4.6/3.6/2.6, Novosibirsk 4.65/3.65/2.65. */
typedef struct
{
  const char *rounding;
  double      average;
  const char *mark;
} SuggestCase;

#define R45 "{\"rounding\": {\"5\": 4.5, \"4\": 3.5, \"3\": 2.5}}"
#define R46 "{\"rounding\": {\"5\": 4.6, \"4\": 3.6, \"3\": 2.6}}"
#define R465 "{\"rounding\": {\"5\": 4.65, \"4\": 3.65, \"3\": 2.65}}"

static const SuggestCase suggest_cases[] = {
  { R45, 4.5, "5" }, { R45, 4.49, "4" }, { R45, 3.5, "4" }, { R45, 3.49, "3" },
  { R45, 2.5, "3" }, { R45, 2.49, "2" }, { R45, 1.0, "2" }, { R45, 5.0, "5" },
  { R46, 4.5, "4" }, { R46, 4.6, "5" }, { R46, 4.59, "4" }, { R46, 3.6, "4" }, { R46, 2.5, "2" },
  { R465, 4.5, "4" }, { R465, 4.6, "4" }, { R465, 4.65, "5" }, { R465, 3.65, "4" },
  { R465, 3.6, "3" }, { R465, 2.65, "3" }, { R465, 2.6, "2" },
};

static void
test_suggest_period_mark (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (suggest_cases); i++)
    {
      g_autoptr(ZhPolicy) p = policy_from (suggest_cases[i].rounding);

      g_test_message ("%s: %g", suggest_cases[i].rounding, suggest_cases[i].average);
      g_assert_cmpstr (zh_policy_suggest_period_mark (p, suggest_cases[i].average), ==,
                       suggest_cases[i].mark);
    }
}

/* An average computed from marks lands exactly on a threshold: 4.5 from a 5 and a 4; 4.5 from
 * weights 2.1 and 2.1 and 4.65 from weights 1.95 and 1.05, which floating point makes 4.4999… and
 * 4.6499…; all of them reach the threshold. */
static void
test_suggest_from_marks (void)
{
  g_autoptr(ZhPolicy) p45 = policy_from (R45);
  g_autoptr(ZhPolicy) p46 = policy_from (R46);
  g_autoptr(ZhPolicy) p465 = policy_from (R465);
  ZhMark a = { .value = (char *) "5", .weight = 1.0 };
  ZhMark b = { .value = (char *) "4", .weight = 1.0 };
  ZhMark c = { .value = (char *) "5", .weight = 1.95 };
  ZhMark d = { .value = (char *) "4", .weight = 1.05 };
  ZhMark e = { .value = (char *) "5", .weight = 2.1 };
  ZhMark f = { .value = (char *) "4", .weight = 2.1 };
  ZhMark *half[] = { &a, &b };
  ZhMark *novosibirsk[] = { &c, &d };
  ZhMark *heavy[] = { &e, &f };
  double average;

  g_assert_true (zh_policy_weighted_average (p45, half, 2, &average, NULL));
  g_assert_cmpfloat (average, ==, 4.5);
  g_assert_cmpstr (zh_policy_suggest_period_mark (p45, average), ==, "5");
  g_assert_cmpstr (zh_policy_suggest_period_mark (p46, average), ==, "4");
  g_assert_cmpstr (zh_policy_suggest_period_mark (p465, average), ==, "4");

  g_assert_true (zh_policy_weighted_average (p45, heavy, 2, &average, NULL));
  g_assert_cmpfloat_with_epsilon (average, 4.5, 1e-12);
  g_assert_cmpstr (zh_policy_suggest_period_mark (p45, average), ==, "5");

  g_assert_true (zh_policy_weighted_average (p465, novosibirsk, 2, &average, NULL));
  g_assert_cmpfloat_with_epsilon (average, 4.65, 1e-12);
  g_assert_cmpstr (zh_policy_suggest_period_mark (p465, average), ==, "5");
}

/* 000 §7.2: at least three marks at one hour a week, more at more hours; too few marks mean a
 * later deadline, never «н/а» (001 §5.7, 004 §5.3). */
static void
test_min_marks (void)
{
  static const struct { double hours; guint marks; } table[] = {
    { 0.5, 3 }, { 1, 3 }, { 1.5, 4 }, { 2, 4 }, { 3, 5 }, { 4, 6 }, { 5, 7 }, { 8, 7 },
  };
  g_autoptr(ZhPolicy) p = zh_policy_new_default ();
  g_autoptr(ZhPolicy) custom = policy_from ("{\"min_marks\": [{\"hours\": 1, \"marks\": 3},"
                                            " {\"hours\": 2, \"marks\": 5}]}");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    g_assert_cmpuint (zh_policy_min_marks (p, table[i].hours), ==, table[i].marks);
  g_assert_cmpuint (zh_policy_min_marks (custom, 2), ==, 5);
  g_assert_cmpuint (zh_policy_min_marks (custom, 6), ==, 5);

  g_assert_true (zh_policy_check_enough_marks (p, 1, 3, &error));
  g_assert_no_error (error);
  g_assert_false (zh_policy_check_enough_marks (p, 1, 2, &error));
  assert_error_code (error, ZH_POLICY_ERROR_TOO_FEW_MARKS);
  g_clear_error (&error);
  g_assert_false (zh_policy_check_enough_marks (p, 5, 6, &error));
  assert_error_code (error, ZH_POLICY_ERROR_TOO_FEW_MARKS);
}

/* The mark scale: «освобождён» never (002 §5.2, 004 §5.3), «н/а» never as a period mark
 * (004 §5.3), only the school's values, each where the school allows it. */
typedef struct
{
  const char *value;
  gboolean    period;
  int         code;
} MarkValueCase;

static const MarkValueCase mark_value_cases[] = {
  { "5", FALSE, OK }, { "2", TRUE, OK }, { "1", FALSE, OK }, { "pass", TRUE, OK },
  { "fail", FALSE, OK },
  { "6", FALSE, ZH_POLICY_ERROR_UNKNOWN_MARK_VALUE },
  { "", FALSE, ZH_POLICY_ERROR_UNKNOWN_MARK_VALUE },
  { "5+", FALSE, ZH_POLICY_ERROR_UNKNOWN_MARK_VALUE },
  { "exempt", FALSE, ZH_POLICY_ERROR_EXEMPT_FORBIDDEN },
  { "exempt", TRUE, ZH_POLICY_ERROR_EXEMPT_FORBIDDEN },
  { "освобождён", FALSE, ZH_POLICY_ERROR_EXEMPT_FORBIDDEN },
  { "Освобождена", TRUE, ZH_POLICY_ERROR_EXEMPT_FORBIDDEN },
  { "осв.", TRUE, ZH_POLICY_ERROR_EXEMPT_FORBIDDEN },
  { "н/а", TRUE, ZH_POLICY_ERROR_NOT_ASSESSED_FORBIDDEN },
  { "Н/А", TRUE, ZH_POLICY_ERROR_NOT_ASSESSED_FORBIDDEN },
  { "not_assessed", TRUE, ZH_POLICY_ERROR_NOT_ASSESSED_FORBIDDEN },
  { "н/а", FALSE, ZH_POLICY_ERROR_UNKNOWN_MARK_VALUE },
};

static void
test_mark_value (void)
{
  g_autoptr(ZhPolicy) p = zh_policy_new_default ();
  g_autoptr(ZhPolicy) current_only = policy_from (
    "{\"mark_values\": [{\"code\": \"5\", \"text\": \"5\", \"value\": 5},"
    " {\"code\": \"4\", \"text\": \"4\", \"value\": 4},"
    " {\"code\": \"3\", \"text\": \"3\", \"value\": 3},"
    " {\"code\": \"2\", \"text\": \"2\", \"value\": 2},"
    " {\"code\": \"1\", \"text\": \"1\", \"value\": 1, \"period\": false},"
    " {\"code\": \"pass\", \"text\": \"зач\", \"current\": false}]}");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (mark_value_cases); i++)
    {
      const MarkValueCase *c = &mark_value_cases[i];

      g_test_message ("mark value “%s”, period %d", c->value, c->period);
      g_assert_cmpint (zh_policy_check_mark_value (p, c->value, c->period, &error), ==,
                       c->code == OK);
      assert_error_code (error, c->code);
      g_clear_error (&error);
    }

  g_assert_true (zh_policy_check_mark_value (current_only, "1", FALSE, NULL));
  g_assert_false (zh_policy_check_mark_value (current_only, "1", TRUE, &error));
  assert_error_code (error, ZH_POLICY_ERROR_MARK_VALUE_NOT_ALLOWED);
  g_clear_error (&error);
  g_assert_false (zh_policy_check_mark_value (current_only, "pass", FALSE, &error));
  assert_error_code (error, ZH_POLICY_ERROR_MARK_VALUE_NOT_ALLOWED);
  g_assert_nonnull (strstr (error->message, "зач"));
}

/* Attendance codes (002 §5.3, 000 §4.3.3): the five of ZhAttendanceCode, as far as the school uses
 * them; «освобождён» is no attendance record either (002 §5.2). */
static void
test_attendance_code (void)
{
  static const char * const nicks[] = { "absent", "ill", "valid", "invalid", "late" };
  g_autoptr(ZhPolicy) p = zh_policy_new_default ();
  g_autoptr(ZhPolicy) no_late = policy_from ("{\"attendance_codes\": {\"absent\": \"н\","
                                             " \"ill\": \"б\", \"valid\": \"у\","
                                             " \"invalid\": \"п\"}}");
  g_autoptr(GError) error = NULL;
  ZhAttendanceCode code;

  for (guint i = 0; i < G_N_ELEMENTS (nicks); i++)
    {
      g_assert_true (zh_policy_check_attendance_code (p, nicks[i], &code, &error));
      g_assert_no_error (error);
      g_assert_cmpint (code, ==, i);
      /* What the journal shows is what the teacher types. */
      g_assert_true (zh_policy_attendance_from_text (p, zh_policy_get_attendance_text (p, i),
                                                     &code));
      g_assert_cmpint (code, ==, i);
    }

  g_assert_false (zh_policy_check_attendance_code (p, "sick", NULL, &error));
  assert_error_code (error, ZH_POLICY_ERROR_UNKNOWN_ATTENDANCE_CODE);
  g_clear_error (&error);
  g_assert_false (zh_policy_check_attendance_code (p, "освобождён", NULL, &error));
  assert_error_code (error, ZH_POLICY_ERROR_EXEMPT_FORBIDDEN);
  g_clear_error (&error);
  g_assert_false (zh_policy_check_attendance_code (no_late, "late", NULL, &error));
  assert_error_code (error, ZH_POLICY_ERROR_UNKNOWN_ATTENDANCE_CODE);
  g_assert_true (zh_policy_check_attendance_code (no_late, "valid", &code, NULL));
  g_assert_cmpint (code, ==, ZH_ATTENDANCE_VALID);
  g_assert_true (zh_policy_attendance_from_text (no_late, "Н", &code));
  g_assert_cmpint (code, ==, ZH_ATTENDANCE_ABSENT);
  g_assert_false (zh_policy_attendance_from_text (no_late, "оп", &code));
}

/* Forms of control: lookups and refusal of an unknown one (002 §5.2). */
static void
test_work_type (void)
{
  g_autoptr(ZhPolicy) p = zh_policy_new_default ();
  g_autoptr(GError) error = NULL;

  g_assert_true (zh_policy_check_work_type (p, "dictation", &error));
  g_assert_no_error (error);
  g_assert_false (zh_policy_check_work_type (p, "oral_exam", &error));
  assert_error_code (error, ZH_POLICY_ERROR_UNKNOWN_WORK_TYPE);
  g_assert_false (zh_policy_lookup_work_type (p, "oral_exam", NULL, NULL, NULL));
}

/* No marks and no homework in grade 1 (000 §3.11); with the setting, nor in grade 2's first
 * half-year (004 §3.9). */
static void
test_marks_allowed (void)
{
  static const struct
  {
    const char *policy;
    int         grade;
    const char *date;
    gboolean    allowed;
  } table[] = {
    { "{}", 1, "2026-04-10", FALSE },
    { "{}", 2, "2025-10-06", TRUE },
    { "{}", 5, "2025-10-06", TRUE },
    { "{\"no_marks_grade2_first_half\": true}", 2, "2025-09-01", FALSE },
    { "{\"no_marks_grade2_first_half\": true}", 2, "2025-12-31", FALSE },
    { "{\"no_marks_grade2_first_half\": true}", 2, "2026-01-01", TRUE },
    { "{\"no_marks_grade2_first_half\": true}", 2, "2026-05-20", TRUE },
    { "{\"no_marks_grade2_first_half\": true}", 3, "2025-09-01", TRUE },
    { "{\"no_marks_grade2_first_half\": true}", 1, "2026-05-20", FALSE },
    { "{\"no_marks_grades\": []}", 1, "2025-10-06", TRUE },
    { "{\"no_marks_grades\": [1, 2]}", 2, "2026-05-20", FALSE },
  };
  GDate year_start;

  date_from ("2025-09-01", &year_start);
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(ZhPolicy) p = policy_from (table[i].policy);
      GDate date;

      date_from (table[i].date, &date);
      g_test_message ("%s grade %d on %s", table[i].policy, table[i].grade, table[i].date);
      g_assert_cmpint (zh_policy_marks_allowed (p, table[i].grade, &date, &year_start), ==,
                       table[i].allowed);
    }
}

/* Who may edit what, and when: one row per rule and boundary. The lesson is on Monday
 * 2025-10-06 in grade 5 unless a row says otherwise; "now" is on the school's clock; the mark was
 * entered `entered_ago` seconds before now. */
typedef struct
{
  const char        *clause;
  const char        *policy;
  ZhEditKind         kind;
  ZhRoles            roles;
  gboolean           teaches;
  gboolean           substitutes;
  gboolean           class_teacher;
  int                grade;
  const char        *date;
  const char        *now;
  gboolean           own_mark;
  gint64             entered_ago;
  gboolean           replaces;
  gboolean           has_homework;
  int                reason;
  const char        *document;
  int                code;
} EditCase;

#define T ZH_ROLE_TEACHER
#define CT ZH_ROLE_CLASS_TEACHER
#define D "2025-10-06"
#define TODAY "2025-10-06 10:00:00"
#define G2H "{\"no_marks_grade2_first_half\": true}"
#define DOC "Заявление учителя № 12 от 07.10.2025"

static const EditCase edit_cases[] = {
  /* 002 §5.2, 000 §4.2: the group's teacher records the lesson. */
  { "002 §5.2", NULL, ZH_EDIT_ADD_MARK, T, TRUE, FALSE, FALSE, 5, D, TODAY, 0, 0, 0, 0, 0, NULL,
    OK },
  { "000 §3.5.2 substitute", NULL, ZH_EDIT_ADD_MARK, T, FALSE, TRUE, FALSE, 5, D, TODAY, 0, 0, 0, 0,
    0, NULL, OK },
  { "000 §3.5.6 other group", NULL, ZH_EDIT_ADD_MARK, T, FALSE, FALSE, FALSE, 5, D, TODAY, 0, 0, 0,
    0, 0, NULL, ZH_POLICY_ERROR_NOT_OWN_GROUP },
  { "004 §4.4 not a teacher", NULL, ZH_EDIT_ADD_MARK, ZH_ROLE_DEPUTY, TRUE, FALSE, FALSE, 5, D,
    TODAY, 0, 0, 0, 0, 0, NULL, ZH_POLICY_ERROR_NOT_PERMITTED },
  { "002 §5.2 topic", NULL, ZH_EDIT_SET_TOPIC, T, TRUE, FALSE, FALSE, 5, D, TODAY, 0, 0, 0, 0, 0,
    NULL, OK },
  { "000 §3.5.6 topic other group", NULL, ZH_EDIT_SET_TOPIC, T | CT, FALSE, FALSE, TRUE, 5, D,
    TODAY, 0, 0, 0, 0, 0, NULL, ZH_POLICY_ERROR_NOT_OWN_GROUP },
  /* 004 §3.6: day 14 after the lesson is the last, to its last second; day 15 is closed. */
  { "004 §3.6 day 14", NULL, ZH_EDIT_ADD_MARK, T, TRUE, FALSE, FALSE, 5, D, "2025-10-20 23:59:59",
    0, 0, 0, 0, 0, NULL, OK },
  { "004 §3.6 day 15", NULL, ZH_EDIT_ADD_MARK, T, TRUE, FALSE, FALSE, 5, D, "2025-10-21 00:00:00",
    0, 0, 0, 0, 0, NULL, ZH_POLICY_ERROR_EDIT_WINDOW_CLOSED },
  { "004 §3.6 topic day 15", NULL, ZH_EDIT_SET_TOPIC, T, TRUE, FALSE, FALSE, 5, D,
    "2025-10-21 08:00:00", 0, 0, 0, 0, 0, NULL, ZH_POLICY_ERROR_EDIT_WINDOW_CLOSED },
  { "004 §3.6 absence day 15", NULL, ZH_EDIT_CLEAR_ABSENCE, T, TRUE, FALSE, FALSE, 5, D,
    "2025-10-21 08:00:00", 0, 0, 0, 0, 0, NULL, ZH_POLICY_ERROR_EDIT_WINDOW_CLOSED },
  { "004 §4.1.11 7-day window", "{\"edit_window_days\": 7}", ZH_EDIT_SET_TOPIC, T, TRUE, FALSE,
    FALSE, 5, D, "2025-10-14 08:00:00", 0, 0, 0, 0, 0, NULL, ZH_POLICY_ERROR_EDIT_WINDOW_CLOSED },
  { "004 §3.6 lesson by a teacher day 15", NULL, ZH_EDIT_SET_LESSON, T, TRUE, FALSE, FALSE, 5, D,
    "2025-10-21 08:00:00", 0, 0, 0, 0, 0, NULL, ZH_POLICY_ERROR_EDIT_WINDOW_CLOSED },
  /* 000 §3.11, 004 §3.9: no marks in grade 1 and, with the setting, grade 2's first half. */
  { "000 §3.11 grade 1", NULL, ZH_EDIT_ADD_MARK, T, TRUE, FALSE, FALSE, 1, D, TODAY, 0, 0, 0, 0, 0,
    NULL, ZH_POLICY_ERROR_MARKS_NOT_ALLOWED },
  { "000 §3.11 grade 1 topic", NULL, ZH_EDIT_SET_TOPIC, T, TRUE, FALSE, FALSE, 1, D, TODAY, 0, 0, 0,
    0, 0, NULL, OK },
  { "000 §3.11 grade 1 absence", NULL, ZH_EDIT_SET_ABSENCE, T, TRUE, FALSE, FALSE, 1, D, TODAY, 0,
    0, 0, 0, 0, NULL, OK },
  { "004 §3.9 grade 2 first half", G2H, ZH_EDIT_ADD_MARK, T, TRUE, FALSE, FALSE, 2, D, TODAY, 0, 0,
    0, 0, 0, NULL, ZH_POLICY_ERROR_MARKS_NOT_ALLOWED },
  { "004 §3.9 grade 2 second half", G2H, ZH_EDIT_ADD_MARK, T, TRUE, FALSE, FALSE, 2, "2026-01-12",
    "2026-01-12 10:00:00", 0, 0, 0, 0, 0, NULL, OK },
  { "000 §3.11 grade 2 marked", NULL, ZH_EDIT_ADD_MARK, T, TRUE, FALSE, FALSE, 2, D, TODAY, 0, 0, 0,
    0, 0, NULL, OK },
  { "004 §3.9 grade 2 homework", G2H, ZH_EDIT_SET_HOMEWORK, T, TRUE, FALSE, FALSE, 2, D, TODAY, 0,
    0, 0, 0, 0, NULL, ZH_POLICY_ERROR_HOMEWORK_NOT_ALLOWED },
  { "000 §3.11 grade 1 homework", NULL, ZH_EDIT_SET_HOMEWORK, T, TRUE, FALSE, FALSE, 1, D, TODAY, 0,
    0, 0, 0, 0, NULL, ZH_POLICY_ERROR_HOMEWORK_NOT_ALLOWED },
  /* Marks and absences are facts of a lesson that took place (000 §4.2.1 "по факту"). */
  { "000 §4.2.1 mark tomorrow", NULL, ZH_EDIT_ADD_MARK, T, TRUE, FALSE, FALSE, 5, "2025-10-07",
    "2025-10-06 23:59:59", 0, 0, 0, 0, 0, NULL, ZH_POLICY_ERROR_LESSON_IN_FUTURE },
  { "000 §4.2.1 absence tomorrow", NULL, ZH_EDIT_SET_ABSENCE, T, TRUE, FALSE, FALSE, 5,
    "2025-10-07", TODAY, 0, 0, 0, 0, 0, NULL, ZH_POLICY_ERROR_LESSON_IN_FUTURE },
  { "000 §4.2.1 absence today", NULL, ZH_EDIT_SET_ABSENCE, T, TRUE, FALSE, FALSE, 5, D, TODAY, 0, 0,
    0, 0, 0, NULL, OK },
  { "002 §5.2 topic planned ahead", NULL, ZH_EDIT_SET_TOPIC, T, TRUE, FALSE, FALSE, 5, "2025-10-20",
    TODAY, 0, 0, 0, 0, 0, NULL, OK },
  /* 002 §5.2: a mark once entered is neither changed nor deleted — but its author may take it
   * back within the undo grace (600 s). */
  { "002 §5.2 undo at 600 s", NULL, ZH_EDIT_CHANGE_MARK, T, TRUE, FALSE, FALSE, 5, D, TODAY, TRUE,
    600, 0, 0, 0, NULL, OK },
  { "002 §5.2 change at 601 s", NULL, ZH_EDIT_CHANGE_MARK, T, TRUE, FALSE, FALSE, 5, D, TODAY, TRUE,
    601, 0, 0, 0, NULL, ZH_POLICY_ERROR_MARK_LOCKED },
  { "002 §5.2 delete at once", NULL, ZH_EDIT_DELETE_MARK, T, TRUE, FALSE, FALSE, 5, D, TODAY, TRUE,
    0, 0, 0, 0, NULL, OK },
  { "002 §5.2 delete next day", NULL, ZH_EDIT_DELETE_MARK, T, TRUE, FALSE, FALSE, 5, D,
    "2025-10-07 10:00:00", TRUE, 86400, 0, 0, 0, NULL, ZH_POLICY_ERROR_MARK_LOCKED },
  { "002 §5.2 another's mark", NULL, ZH_EDIT_DELETE_MARK, T, TRUE, FALSE, FALSE, 5, D, TODAY, FALSE,
    10, 0, 0, 0, NULL, ZH_POLICY_ERROR_MARK_LOCKED },
  { "002 §5.2 no undo grace", "{\"undo_seconds\": 0}", ZH_EDIT_CHANGE_MARK, T, TRUE, FALSE, FALSE,
    5, D, TODAY, TRUE, 1, 0, 0, 0, NULL, ZH_POLICY_ERROR_MARK_LOCKED },
  { "002 §5.2 clock went back", NULL, ZH_EDIT_CHANGE_MARK, T, TRUE, FALSE, FALSE, 5, D, TODAY, TRUE,
    -5, 0, 0, 0, NULL, ZH_POLICY_ERROR_MARK_LOCKED },
  /* 002 §5.3, 000 §4.3.3: the class teacher sets the reason of an absence. */
  { "002 §5.3 class teacher", NULL, ZH_EDIT_SET_ABSENCE_REASON, CT, FALSE, FALSE, TRUE, 5, D,
    "2025-10-10 15:00:00", 0, 0, 0, 0, 0, NULL, OK },
  { "002 §5.3 subject teacher", NULL, ZH_EDIT_SET_ABSENCE_REASON, T, TRUE, FALSE, FALSE, 5, D,
    TODAY, 0, 0, 0, 0, 0, NULL, ZH_POLICY_ERROR_NOT_OWN_CLASS },
  { "002 §5.3 another class", NULL, ZH_EDIT_SET_ABSENCE_REASON, T | CT, TRUE, FALSE, FALSE, 5, D,
    TODAY, 0, 0, 0, 0, 0, NULL, ZH_POLICY_ERROR_NOT_OWN_CLASS },
  { "004 §3.6 reason day 15", NULL, ZH_EDIT_SET_ABSENCE_REASON, CT, FALSE, FALSE, TRUE, 5, D,
    "2025-10-21 09:00:00", 0, 0, 0, 0, 0, NULL, ZH_POLICY_ERROR_EDIT_WINDOW_CLOSED },
  /* 002 §5.2: homework is not added to a lesson already past (from the next day). */
  { "002 §5.2 homework same day", NULL, ZH_EDIT_SET_HOMEWORK, T, TRUE, FALSE, FALSE, 5, D,
    "2025-10-06 23:59:59", 0, 0, 0, FALSE, 0, NULL, OK },
  { "002 §5.2 homework next day", NULL, ZH_EDIT_SET_HOMEWORK, T, TRUE, FALSE, FALSE, 5, D,
    "2025-10-07 00:00:00", 0, 0, 0, FALSE, 0, NULL, ZH_POLICY_ERROR_HOMEWORK_PAST_LESSON },
  { "002 §5.2 homework text fixed", NULL, ZH_EDIT_SET_HOMEWORK, T, TRUE, FALSE, FALSE, 5, D,
    "2025-10-07 08:00:00", 0, 0, 0, TRUE, 0, NULL, OK },
  { "002 §5.2 homework ahead", NULL, ZH_EDIT_SET_HOMEWORK, T, TRUE, FALSE, FALSE, 5, "2025-10-08",
    TODAY, 0, 0, 0, FALSE, 0, NULL, OK },
  /* 002 §5.4, §5.5: the administration records substitutions and the timetable at any time. */
  { "002 §5.4 deputy", NULL, ZH_EDIT_SET_LESSON, ZH_ROLE_DEPUTY, FALSE, FALSE, FALSE, 5, D,
    "2025-11-30 10:00:00", 0, 0, 0, 0, 0, NULL, OK },
  { "002 §5.5 admin", NULL, ZH_EDIT_SET_LESSON, ZH_ROLE_ADMIN, FALSE, FALSE, FALSE, 5, D, TODAY, 0,
    0, 0, 0, 0, NULL, OK },
  { "004 §4.2 director", NULL, ZH_EDIT_SET_LESSON, ZH_ROLE_DIRECTOR, FALSE, FALSE, FALSE, 5, D,
    TODAY, 0, 0, 0, 0, 0, NULL, ZH_POLICY_ERROR_NOT_PERMITTED },
  { "001 §5.4 substitute marks it", NULL, ZH_EDIT_SET_LESSON, T, FALSE, TRUE, FALSE, 5, D, TODAY, 0,
    0, 0, 0, 0, NULL, OK },
  /* 000 §4.2.4: period marks up to 3 days after the period (ending 2025-10-26), then closed. */
  { "000 §4.2.4 day 3", NULL, ZH_EDIT_SET_PERIOD_MARK, T, TRUE, FALSE, FALSE, 5, "2025-10-26",
    "2025-10-29 23:59:59", 0, 0, FALSE, 0, 0, NULL, OK },
  { "000 §4.2.4 day 4", NULL, ZH_EDIT_SET_PERIOD_MARK, T, TRUE, FALSE, FALSE, 5, "2025-10-26",
    "2025-10-30 00:00:00", 0, 0, FALSE, 0, 0, NULL, ZH_POLICY_ERROR_PERIOD_MARKS_CLOSED },
  { "004 §5.4 before the end", NULL, ZH_EDIT_SET_PERIOD_MARK, T, TRUE, FALSE, FALSE, 5,
    "2025-10-26", "2025-10-24 12:00:00", 0, 0, FALSE, 0, 0, NULL, OK },
  { "004 §4.4.6 substitute", NULL, ZH_EDIT_SET_PERIOD_MARK, T, FALSE, TRUE, FALSE, 5, "2025-10-26",
    "2025-10-27 12:00:00", 0, 0, FALSE, 0, 0, NULL, ZH_POLICY_ERROR_NOT_OWN_GROUP },
  { "004 §4.4.6 deputy", NULL, ZH_EDIT_SET_PERIOD_MARK, ZH_ROLE_DEPUTY, FALSE, FALSE, FALSE, 5,
    "2025-10-26", "2025-10-27 12:00:00", 0, 0, FALSE, 0, 0, NULL, ZH_POLICY_ERROR_NOT_PERMITTED },
  { "002 §5.2 period mark undo", NULL, ZH_EDIT_SET_PERIOD_MARK, T, TRUE, FALSE, FALSE, 5,
    "2025-10-26", "2025-10-27 12:00:00", TRUE, 30, TRUE, 0, 0, NULL, OK },
  { "002 §5.2 period mark replaced", NULL, ZH_EDIT_SET_PERIOD_MARK, T, TRUE, FALSE, FALSE, 5,
    "2025-10-26", "2025-10-27 12:00:00", TRUE, 3600, TRUE, 0, 0, NULL,
    ZH_POLICY_ERROR_MARK_LOCKED },
  { "000 §3.11 period mark grade 1", NULL, ZH_EDIT_SET_PERIOD_MARK, T, TRUE, FALSE, FALSE, 1,
    "2025-10-26", "2025-10-27 12:00:00", 0, 0, FALSE, 0, 0, NULL,
    ZH_POLICY_ERROR_MARKS_NOT_ALLOWED },
  /* 002 §7: corrections by the responsible staff, for a listed reason, on a document — at any
   * time, the edit window does not apply. */
  { "002 §7 deputy", NULL, ZH_EDIT_CORRECT_MARK, ZH_ROLE_DEPUTY, FALSE, FALSE, FALSE, 5, D,
    "2026-03-01 10:00:00", 0, 0, 0, 0, ZH_CORRECTION_REASON_TEACHER_REQUEST, DOC, OK },
  { "002 §7 admin", NULL, ZH_EDIT_CORRECT_MARK, ZH_ROLE_ADMIN, FALSE, FALSE, FALSE, 5, D, TODAY, 0,
    0, 0, 0, ZH_CORRECTION_REASON_APPEAL_UPHELD, DOC, OK },
  { "002 §7 director", NULL, ZH_EDIT_CORRECT_MARK, ZH_ROLE_DIRECTOR, FALSE, FALSE, FALSE, 5, D,
    TODAY, 0, 0, 0, 0, ZH_CORRECTION_REASON_DEBT_CLEARED, DOC, ZH_POLICY_ERROR_NOT_PERMITTED },
  { "002 §7 director by setting", "{\"correction_roles\": [\"director\"]}", ZH_EDIT_CORRECT_MARK,
    ZH_ROLE_DIRECTOR, FALSE, FALSE, FALSE, 5, D, TODAY, 0, 0, 0, 0,
    ZH_CORRECTION_REASON_REATTESTATION, DOC, OK },
  { "002 §7 teacher", NULL, ZH_EDIT_CORRECT_MARK, T | CT, TRUE, FALSE, TRUE, 5, D, TODAY, TRUE, 10,
    0, 0, ZH_CORRECTION_REASON_TEACHER_REQUEST, DOC, ZH_POLICY_ERROR_NOT_PERMITTED },
  { "002 §7 no such reason", NULL, ZH_EDIT_CORRECT_MARK, ZH_ROLE_DEPUTY, FALSE, FALSE, FALSE, 5, D,
    TODAY, 0, 0, 0, 0, 99, DOC, ZH_POLICY_ERROR_CORRECTION_REASON },
  { "002 §7 blank document", NULL, ZH_EDIT_CORRECT_MARK, ZH_ROLE_DEPUTY, FALSE, FALSE, FALSE, 5, D,
    TODAY, 0, 0, 0, 0, ZH_CORRECTION_REASON_NOT_OBJECTIVE, "  ",
    ZH_POLICY_ERROR_CORRECTION_DOCUMENT },
  { "002 §7 no document", NULL, ZH_EDIT_CORRECT_MARK, ZH_ROLE_DEPUTY, FALSE, FALSE, FALSE, 5, D,
    TODAY, 0, 0, 0, 0, ZH_CORRECTION_REASON_NOT_OBJECTIVE, NULL,
    ZH_POLICY_ERROR_CORRECTION_DOCUMENT },
  /* A request the rules cannot read. */
  { "bad date", NULL, ZH_EDIT_SET_TOPIC, T, TRUE, FALSE, FALSE, 5, "2025-02-30", TODAY, 0, 0, 0, 0,
    0, NULL, ZH_POLICY_ERROR_INVALID_REQUEST },
  { "bad grade", NULL, ZH_EDIT_SET_TOPIC, T, TRUE, FALSE, FALSE, 12, D, TODAY, 0, 0, 0, 0, 0, NULL,
    ZH_POLICY_ERROR_INVALID_REQUEST },
};

static void
test_may_edit (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (edit_cases); i++)
    {
      const EditCase *c = &edit_cases[i];
      g_autoptr(ZhPolicy) p = policy_from (c->policy != NULL ? c->policy : "{}");
      g_autoptr(GError) error = NULL;
      ZhEditRequest r = {
        .kind = c->kind,
        .roles = c->roles,
        .teaches_group = c->teaches,
        .substitutes_lesson = c->substitutes,
        .is_class_teacher_of_student = c->class_teacher,
        .grade = c->grade,
        .date = c->date,
        .year_start = "2025-09-01",
        .now = local (p, c->now),
        .replaces_mark = c->replaces,
        .own_mark = c->own_mark,
        .has_homework = c->has_homework,
        .correction_reason = c->reason,
        .correction_document = c->document,
      };

      r.mark_entered_at = r.now - c->entered_ago;
      g_test_message ("may edit: %s", c->clause);
      g_assert_cmpint (zh_policy_may_edit (p, &r, &error), ==, c->code == OK);
      assert_error_code (error, c->code);
    }
}

/* Deadlines, judged by the time of entry on the school's clock (REQUIREMENTS §3, DESIGN §4). The
 * lesson is lesson 1 (08:30–09:15) of Monday 2025-10-06 unless a row says otherwise. */
typedef struct
{
  const char      *clause;
  const char      *policy;
  ZhRecordKind     kind;
  const char      *date;
  int              number;
  const char      *entered;   /* NULL: not entered */
  const char      *now;
  ZhDeadlineStatus status;
} DeadlineCase;

#define LATER "2025-12-01 00:00:00"

static const DeadlineCase deadline_cases[] = {
  /* 000 §3.5.2: the topic on the day, by 17:00 — exactly at it, and one second after. */
  { "000 §3.5.2 at 17:00", NULL, ZH_RECORD_TOPIC, D, 1, "2025-10-06 17:00:00", LATER,
    ZH_DEADLINE_ON_TIME },
  { "000 §3.5.2 17:00:01", NULL, ZH_RECORD_TOPIC, D, 1, "2025-10-06 17:00:01", LATER,
    ZH_DEADLINE_LATE },
  { "000 §3.5.2 not yet", NULL, ZH_RECORD_TOPIC, D, 1, NULL, "2025-10-06 17:00:00",
    ZH_DEADLINE_NOT_DUE },
  { "000 §3.5.2 missing", NULL, ZH_RECORD_TOPIC, D, 1, NULL, "2025-10-06 17:00:01",
    ZH_DEADLINE_MISSING },
  /* 002 §5.2 says 18:00: a setting. */
  { "002 §5.2 by 18:00", "{\"record_deadline\": \"18:00\"}", ZH_RECORD_TOPIC, D, 1,
    "2025-10-06 17:30:00", LATER, ZH_DEADLINE_ON_TIME },
  { "002 §5.2 after 18:00", "{\"record_deadline\": \"18:00\"}", ZH_RECORD_TOPIC, D, 1,
    "2025-10-06 18:00:01", LATER, ZH_DEADLINE_LATE },
  /* 000 §4.2.1, 001 §5.4: absences on the day; lesson 10 ends 17:55, after 17:00, so its day. */
  { "000 §4.2.1 absence", NULL, ZH_RECORD_ABSENCE, D, 1, "2025-10-06 16:59:59", LATER,
    ZH_DEADLINE_ON_TIME },
  { "000 §4.2.1 absence late", NULL, ZH_RECORD_ABSENCE, D, 1, "2025-10-07 08:00:00", LATER,
    ZH_DEADLINE_LATE },
  { "000 §4.2.1 lesson 10 evening", NULL, ZH_RECORD_ABSENCE, D, 10, "2025-10-06 23:59:59", LATER,
    ZH_DEADLINE_ON_TIME },
  { "000 §4.2.1 lesson 10 next day", NULL, ZH_RECORD_TOPIC, D, 10, "2025-10-07 00:00:00", LATER,
    ZH_DEADLINE_LATE },
  /* 000 §4.2.2: homework within an hour after the lesson's end (09:15 → 10:15). */
  { "000 §4.2.2 at 10:15", NULL, ZH_RECORD_HOMEWORK, D, 1, "2025-10-06 10:15:00", LATER,
    ZH_DEADLINE_ON_TIME },
  { "000 §4.2.2 10:15:01", NULL, ZH_RECORD_HOMEWORK, D, 1, "2025-10-06 10:15:01", LATER,
    ZH_DEADLINE_LATE },
  { "000 §4.2.2 lesson 3", NULL, ZH_RECORD_HOMEWORK, D, 3, "2025-10-06 12:15:00", LATER,
    ZH_DEADLINE_ON_TIME },
  { "000 §4.2.2 lesson 3 late", NULL, ZH_RECORD_HOMEWORK, D, 3, "2025-10-06 12:15:01", LATER,
    ZH_DEADLINE_LATE },
  { "000 §4.2.2 missing", NULL, ZH_RECORD_HOMEWORK, D, 1, NULL, "2025-10-06 10:15:01",
    ZH_DEADLINE_MISSING },
  /* 001 §5.5: a lesson off the bell schedule has until the end of its day. */
  { "001 §5.5 lesson 11", NULL, ZH_RECORD_HOMEWORK, D, 11, "2025-10-06 23:59:59", LATER,
    ZH_DEADLINE_ON_TIME },
  { "001 §5.5 lesson 11 late", NULL, ZH_RECORD_HOMEWORK, D, 11, "2025-10-07 00:00:00", LATER,
    ZH_DEADLINE_LATE },
  /* 000 §4.2.3, 001 §5.6: current marks within 7 days. */
  { "000 §4.2.3 day 7", NULL, ZH_RECORD_MARK, D, 1, "2025-10-13 23:59:59", LATER,
    ZH_DEADLINE_ON_TIME },
  { "000 §4.2.3 day 8", NULL, ZH_RECORD_MARK, D, 1, "2025-10-14 00:00:00", LATER,
    ZH_DEADLINE_LATE },
  { "000 §4.2.3 not due", NULL, ZH_RECORD_MARK, D, 1, NULL, "2025-10-13 23:59:59",
    ZH_DEADLINE_NOT_DUE },
  { "000 §4.2.3 missing", NULL, ZH_RECORD_MARK, D, 1, NULL, "2025-10-14 00:00:00",
    ZH_DEADLINE_MISSING },
  /* DESIGN §4: entered offline on time and received much later is on time. */
  { "DESIGN §4 entered_at", NULL, ZH_RECORD_TOPIC, D, 1, "2025-10-06 12:00:00",
    "2025-11-30 00:00:00", ZH_DEADLINE_ON_TIME },
};

static void
test_deadline_status (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (deadline_cases); i++)
    {
      const DeadlineCase *c = &deadline_cases[i];
      g_autoptr(ZhPolicy) p = policy_from (c->policy != NULL ? c->policy : "{}");
      gint64 entered = c->entered != NULL ? local (p, c->entered) : 0;

      g_test_message ("deadline: %s", c->clause);
      g_assert_cmpint (zh_policy_deadline_status (p, c->kind, c->date, c->number, entered,
                                                  local (p, c->now)), ==, c->status);
    }
}

/* 000 §4.2.4, §7.3: period marks no later than 3 days after the period's end. */
static void
test_period_marks_deadline (void)
{
  g_autoptr(ZhPolicy) p = zh_policy_new_default ();
  const char *end = "2025-10-26";

  g_assert_cmpint (zh_policy_period_marks_deadline (p, end), ==, local (p, "2025-10-29 23:59:59"));
  g_assert_cmpint (zh_policy_period_marks_deadline_status (p, end, local (p, "2025-10-29 23:59:59"),
                                                           local (p, LATER)),
                   ==, ZH_DEADLINE_ON_TIME);
  g_assert_cmpint (zh_policy_period_marks_deadline_status (p, end, local (p, "2025-10-30 00:00:00"),
                                                           local (p, LATER)),
                   ==, ZH_DEADLINE_LATE);
  g_assert_cmpint (zh_policy_period_marks_deadline_status (p, end, 0,
                                                           local (p, "2025-10-28 12:00:00")),
                   ==, ZH_DEADLINE_NOT_DUE);
  g_assert_cmpint (zh_policy_period_marks_deadline_status (p, end, 0,
                                                           local (p, "2025-10-30 00:00:00")),
                   ==, ZH_DEADLINE_MISSING);
}

/* The bell schedule on the school's clock. */
static void
test_lesson_times (void)
{
  g_autoptr(ZhPolicy) p = zh_policy_new_default ();
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  g_autoptr(GDateTime) last = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  start = zh_policy_lesson_start (p, D, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_date_time_get_hour (start), ==, 8);
  g_assert_cmpint (g_date_time_get_minute (start), ==, 30);
  g_assert_cmpint (g_date_time_get_utc_offset (start), ==, 3 * G_TIME_SPAN_HOUR);
  g_assert_cmpint (g_date_time_to_unix (start), ==, local (p, "2025-10-06 08:30:00"));
  end = zh_policy_lesson_end (p, D, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_date_time_to_unix (end), ==, local (p, "2025-10-06 09:15:00"));
  last = zh_policy_lesson_end (p, D, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_date_time_to_unix (last), ==, local (p, "2025-10-06 17:55:00"));

  g_assert_null (zh_policy_lesson_start (p, D, 0, &error));
  assert_error_code (error, ZH_POLICY_ERROR_UNKNOWN_LESSON_NUMBER);
  g_clear_error (&error);
  g_assert_null (zh_policy_lesson_end (p, D, 11, &error));
  assert_error_code (error, ZH_POLICY_ERROR_UNKNOWN_LESSON_NUMBER);
  g_clear_error (&error);
  g_assert_null (zh_policy_lesson_start (p, "06.10.2025", 1, &error));
  assert_error_code (error, ZH_POLICY_ERROR_INVALID_REQUEST);
  g_clear_error (&error);
  g_assert_false (zh_policy_deadline (p, ZH_RECORD_MARK, "2025-13-01", 1, &deadline, &error));
  assert_error_code (error, ZH_POLICY_ERROR_INVALID_REQUEST);
}

/* A school in Yekaterinburg (UTC+5) keeps its deadlines on its own clock: 17:00 there is 15:00 in
 * Moscow, and its school day turns over two hours before Moscow's (000 §3.5.2, 004 §3.6). */
static void
test_timezone_yekaterinburg (void)
{
  g_autoptr(ZhPolicy) ekb = policy_from ("{\"timezone\": \"Asia/Yekaterinburg\"}");
  g_autoptr(ZhPolicy) msk = zh_policy_new_default ();
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GError) error = NULL;
  /* 16:30 in Moscow = 18:30 in Yekaterinburg. */
  gint64 entered = local (msk, "2025-10-06 16:30:00");
  gint64 deadline;
  GDate today;
  ZhEditRequest r = {
    .kind = ZH_EDIT_SET_TOPIC, .roles = ZH_ROLE_TEACHER, .teaches_group = TRUE, .grade = 5,
    .date = "2025-10-06", .year_start = "2025-09-01",
  };

  start = zh_policy_lesson_start (ekb, D, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_date_time_get_utc_offset (start), ==, 5 * G_TIME_SPAN_HOUR);
  g_assert_cmpint (g_date_time_to_unix (start), ==, local (msk, "2025-10-06 06:30:00"));

  g_assert_true (zh_policy_deadline (ekb, ZH_RECORD_TOPIC, D, 1, &deadline, NULL));
  g_assert_cmpint (deadline, ==, local (msk, "2025-10-06 15:00:00"));
  g_assert_cmpint (zh_policy_deadline_status (ekb, ZH_RECORD_TOPIC, D, 1, entered, entered), ==,
                   ZH_DEADLINE_LATE);
  g_assert_cmpint (zh_policy_deadline_status (msk, ZH_RECORD_TOPIC, D, 1, entered, entered), ==,
                   ZH_DEADLINE_ON_TIME);
  g_assert_cmpint (zh_policy_deadline_status (ekb, ZH_RECORD_TOPIC, D, 1,
                                              local (msk, "2025-10-06 15:00:00"), entered), ==,
                   ZH_DEADLINE_ON_TIME);

  /* 23:00 in Moscow on day 14 is already day 15 in Yekaterinburg. */
  r.now = local (msk, "2025-10-20 23:00:00");
  zh_policy_local_date (ekb, r.now, &today);
  g_assert_cmpint (g_date_get_day (&today), ==, 21);
  g_assert_true (zh_policy_may_edit (msk, &r, NULL));
  g_assert_false (zh_policy_may_edit (ekb, &r, &error));
  assert_error_code (error, ZH_POLICY_ERROR_EDIT_WINDOW_CLOSED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/policy/json/defaults", test_json_defaults);
  g_test_add_func ("/policy/json/overrides", test_json_overrides);
  g_test_add_func ("/policy/json/partial", test_json_partial);
  g_test_add_func ("/policy/json/bad", test_json_bad);
  g_test_add_func ("/policy/error-codes", test_error_codes);
  g_test_add_func ("/policy/average/weighted", test_weighted_average);
  g_test_add_func ("/policy/average/suggest", test_suggest_period_mark);
  g_test_add_func ("/policy/average/suggest-from-marks", test_suggest_from_marks);
  g_test_add_func ("/policy/min-marks", test_min_marks);
  g_test_add_func ("/policy/mark-value", test_mark_value);
  g_test_add_func ("/policy/attendance-code", test_attendance_code);
  g_test_add_func ("/policy/work-type", test_work_type);
  g_test_add_func ("/policy/marks-allowed", test_marks_allowed);
  g_test_add_func ("/policy/may-edit", test_may_edit);
  g_test_add_func ("/policy/deadline/lesson", test_deadline_status);
  g_test_add_func ("/policy/deadline/period-marks", test_period_marks_deadline);
  g_test_add_func ("/policy/lesson-times", test_lesson_times);
  g_test_add_func ("/policy/timezone/yekaterinburg", test_timezone_yekaterinburg);

  return g_test_run ();
}
