/* test-json-writer.c: the streaming JSON writer writes valid JSON, escapes what JSON requires,
 * keeps numbers exact, and writes entity rows in the API's format (data/api/openapi.yaml). */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <math.h>
#include <json-glib/json-glib.h>

#include "zh-json-writer.h"
#include "zh-store.h"
#include "zh-test-utils.h"

static char *
write_string (const char *value,
              gssize      length)
{
  GString *out = g_string_new (NULL);
  g_autoptr(ZhJsonWriter) writer = zh_json_writer_new (out);

  zh_json_writer_string_len (writer, value, length);
  g_assert_true (zh_json_writer_is_complete (writer));
  return g_string_free (out, FALSE);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* RFC 8259 §7: quotes, backslashes and control characters must be escaped; everything else may
 * pass as it is. Invalid UTF-8 cannot appear in JSON text, so it becomes U+FFFD. */
static void
test_escape_table (void)
{
  static const struct
  {
    const char *input;
    gssize      length;
    const char *expected;
  } cases[] = {
    { "", -1, "\"\"" },
    { "plain", -1, "\"plain\"" },
    { "say \"hi\"", -1, "\"say \\\"hi\\\"\"" },
    { "C:\\dir", -1, "\"C:\\\\dir\"" },
    { "a/b", -1, "\"a/b\"" },
    { "\b\f\n\r\t", -1, "\"\\b\\f\\n\\r\\t\"" },
    { "\x01\x1f", -1, "\"\\u0001\\u001f\"" },
    { "\x7f", -1, "\"\x7f\"" },
    { "a\0b", 3, "\"a\\u0000b\"" },
    { "Иванова Анна", -1, "\"Иванова Анна\"" },
    { "«5А» — ё", -1, "\"«5А» — ё\"" },
    { "\xf0\x9f\x93\x9a", -1, "\"\xf0\x9f\x93\x9a\"" },                 /* U+1F4DA, 4 bytes */
    { "a\xffz", -1, "\"a\xef\xbf\xbdz\"" },                              /* a stray byte */
    { "\xd0", -1, "\"\xef\xbf\xbd\"" },                                  /* a cut sequence */
    { "\xc0\xaf", -1, "\"\xef\xbf\xbd\xef\xbf\xbd\"" },                  /* overlong '/' */
    { "\xed\xa0\x80", -1, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },  /* a surrogate */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = write_string (cases[i].input, cases[i].length);

      g_assert_cmpstr (text, ==, cases[i].expected);
      g_assert_true (g_utf8_validate (text, -1, NULL));
    }
}

/* Whatever the writer writes, json-glib reads back as the same values. */
static void
test_round_trip (void)
{
  static const char * const strings[] = {
    "", "say \"hi\"", "C:\\dir", "line\nbreak\ttab", "\x01\x02\x1e", "Иванова «5А»", "\xf0\x9f\x93\x9a",
  };
  static const double doubles[] = { 0.0, 0.1, 1.5, -2.25, 1.0 / 3.0, 1e300, 5e-324, 4.65, 2.0 };
  static const gint64 ints[] = { 0, 1, -1, G_MAXINT64, G_MININT64, 4294967296 };
  GString *out = g_string_new (NULL);
  g_autoptr(ZhJsonWriter) writer = zh_json_writer_new (out);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;
  JsonArray *array;

  zh_json_writer_begin_object (writer);
  zh_json_writer_key (writer, "strings");
  zh_json_writer_begin_array (writer);
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    zh_json_writer_string (writer, strings[i]);
  zh_json_writer_end_array (writer);
  zh_json_writer_key (writer, "doubles");
  zh_json_writer_begin_array (writer);
  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++)
    zh_json_writer_double (writer, doubles[i]);
  zh_json_writer_end_array (writer);
  zh_json_writer_key (writer, "ints");
  zh_json_writer_begin_array (writer);
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    zh_json_writer_int (writer, ints[i]);
  zh_json_writer_end_array (writer);
  zh_json_writer_key (writer, "yes");
  zh_json_writer_bool (writer, TRUE);
  zh_json_writer_key (writer, "no");
  zh_json_writer_bool (writer, FALSE);
  zh_json_writer_key (writer, "nothing");
  zh_json_writer_null (writer);
  zh_json_writer_key (writer, "missing");
  zh_json_writer_string (writer, NULL);
  zh_json_writer_key (writer, "raw");
  zh_json_writer_raw (writer, "{\"a\":[1,2]}");
  zh_json_writer_key (writer, "empty");
  zh_json_writer_begin_object (writer);
  zh_json_writer_end_object (writer);
  zh_json_writer_key (writer, "key \"quoted\"");
  zh_json_writer_begin_array (writer);
  zh_json_writer_begin_array (writer);
  zh_json_writer_end_array (writer);
  zh_json_writer_end_array (writer);
  zh_json_writer_end_object (writer);
  g_assert_true (zh_json_writer_is_complete (writer));

  text = g_string_free (g_steal_pointer (&out), FALSE);
  root = parse (text);
  object = json_node_get_object (root);

  array = json_object_get_array_member (object, "strings");
  g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (strings));
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    g_assert_cmpstr (json_array_get_string_element (array, i), ==, strings[i]);

  array = json_object_get_array_member (object, "doubles");
  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++)
    g_assert_true (json_array_get_double_element (array, i) == doubles[i]);

  array = json_object_get_array_member (object, "ints");
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    g_assert_cmpint (json_array_get_int_element (array, i), ==, ints[i]);

  g_assert_true (json_object_get_boolean_member (object, "yes"));
  g_assert_false (json_object_get_boolean_member (object, "no"));
  g_assert_true (json_object_get_null_member (object, "nothing"));
  g_assert_true (json_object_get_null_member (object, "missing"));
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (
                     json_object_get_object_member (object, "raw"), "a"), 1), ==, 2);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (object, "empty")), ==, 0);
  g_assert_true (json_object_has_member (object, "key \"quoted\""));
  g_assert_cmpstr (g_strrstr (text, "],["), ==, NULL);   /* commas only between members */
}

/* Numbers are written in the fewest digits that read back exactly; JSON has no NaN. */
static void
test_numbers (void)
{
  static const struct { double value; const char *expected; } cases[] = {
    { 0.1, "0.1" }, { 4.65, "4.65" }, { 2.0, "2" }, { -0.5, "-0.5" }, { 1.0 / 3.0, "0.3333333333333333" },
    { NAN, "null" }, { INFINITY, "null" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GString *out = g_string_new (NULL);
      g_autoptr(ZhJsonWriter) writer = zh_json_writer_new (out);

      zh_json_writer_double (writer, cases[i].value);
      g_assert_cmpstr (out->str, ==, cases[i].expected);
      g_string_free (out, TRUE);
    }
}

/* Times travel as ISO 8601 UTC with a Z (data/api/openapi.yaml, Time). */
static void
test_times (void)
{
  static const struct { gint64 seconds; const char *expected; } cases[] = {
    { 0, "\"1970-01-01T00:00:00Z\"" },
    { 1795425300, "\"2026-11-23T09:15:00Z\"" },
    { 951782400, "\"2000-02-29T00:00:00Z\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GString *out = g_string_new (NULL);

      zh_json_append_time (out, cases[i].seconds);
      g_assert_cmpstr (out->str, ==, cases[i].expected);
      g_string_free (out, TRUE);
    }
}

typedef struct
{
  char    *dir;
  ZhStore *store;
} RowFixture;

static void
row_setup (RowFixture    *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = zh_test_tmpdir_new ();
  path = g_build_filename (fixture->dir, "rows.sqlite", NULL);
  fixture->store = zh_store_open (path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  zh_store_exec (fixture->store,
    "INSERT INTO school (id, name, full_name, policy, rev) VALUES "
    "  ('00000000-0000-4000-8000-000000000001', 'Лицей №7', 'МОАУ «Лицей №7»', "
    "   '{\"rounding\":[4.5,3.5,2.5]}', 3);"
    "INSERT INTO academic_year (id, school_id, name, starts, ends) VALUES "
    "  ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', "
    "   '2026/2027', '2026-09-01', '2027-05-31');"
    "INSERT INTO staff (id, school_id, last_name, first_name, roles, login, active, rev) VALUES "
    "  ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000001', "
    "   'Петрова', 'Анна', 25, 'deputy', 1, 7),"
    "  ('00000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000001', "
    "   'Сидоров', 'Пётр', 0, NULL, 0, 8);"
    "INSERT INTO class (id, year_id, grade, letter) VALUES "
    "  ('00000000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000002', 5, 'А');"
    "INSERT INTO subject (id, school_id, name, short_name) VALUES "
    "  ('00000000-0000-4000-8000-000000000006', '00000000-0000-4000-8000-000000000001', "
    "   'Математика', 'Мат.');"
    "INSERT INTO curriculum (id, class_id, subject_id, hours_per_week, hours_per_year) VALUES "
    "  ('00000000-0000-4000-8000-000000000007', '00000000-0000-4000-8000-000000000005', "
    "   '00000000-0000-4000-8000-000000000006', 4.5, 153);"
    "INSERT INTO study_group (id, class_id, subject_id) VALUES "
    "  ('00000000-0000-4000-8000-000000000008', '00000000-0000-4000-8000-000000000005', "
    "   '00000000-0000-4000-8000-000000000006');"
    "INSERT INTO lesson (id, group_id, date, number, kind, topic, substitute, topic_entered_at) VALUES "
    "  ('00000000-0000-4000-8000-000000000009', '00000000-0000-4000-8000-000000000008', "
    "   '2026-11-23', 2, 'test', 'Дроби \"и\" доли', 1, 1795425300);"
    "INSERT INTO student (id, school_id, last_name, first_name, birth_date, gender) VALUES "
    "  ('00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-000000000001', "
    "   'Ёлкина', 'Мария', '2015-03-08', 'female');"
    "INSERT INTO enrollment (id, student_id, class_id, date_from, reason) VALUES "
    "  ('00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000a', "
    "   '00000000-0000-4000-8000-000000000005', '2026-09-01', 'start');",
    &error);
  g_assert_no_error (error);
}

static void
row_teardown (RowFixture    *fixture,
              gconstpointer  data)
{
  g_clear_object (&fixture->store);
  zh_test_tmpdir_free (fixture->dir);
}

/* Write every row of @info's table (one column before the entity's) and parse the result. */
static JsonArray *
rows_as_json (RowFixture         *fixture,
              const ZhEntityInfo *info)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *columns = zh_json_entity_columns (info, "t");
  g_autofree char *sql = g_strdup_printf ("SELECT 42, %s FROM %s t ORDER BY t.id", columns, info->table);
  sqlite3_stmt *stmt = zh_store_prepare (fixture->store, sql, &error);
  GString *out = g_string_new (NULL);
  g_autoptr(ZhJsonWriter) writer = zh_json_writer_new (out);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_no_error (error);
  zh_json_writer_begin_array (writer);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    zh_json_writer_add_row (writer, info, stmt, 1);
  sqlite3_reset (stmt);
  zh_json_writer_end_array (writer);
  text = g_string_free (out, FALSE);
  root = parse (text);
  return json_array_ref (json_node_get_array (root));
}

/* Every member is named after its field; nothing more, nothing less (openapi.yaml,
 * additionalProperties: false). */
static void
assert_members_are_fields (JsonObject         *object,
                           const ZhEntityInfo *info)
{
  g_assert_cmpuint (json_object_get_size (object), ==, info->n_fields);
  for (guint i = 0; i < info->n_fields; i++)
    g_assert_true (json_object_has_member (object, info->fields[i].name));
}

static void
test_row_school_json_field (RowFixture    *fixture,
                            gconstpointer  data)
{
  g_autoptr(JsonArray) rows = rows_as_json (fixture, &zh_school_info);
  JsonObject *school = json_array_get_object_element (rows, 0);
  JsonObject *policy;

  assert_members_are_fields (school, &zh_school_info);
  g_assert_cmpstr (json_object_get_string_member (school, "name"), ==, "Лицей №7");
  g_assert_cmpstr (json_object_get_string_member (school, "full_name"), ==, "МОАУ «Лицей №7»");
  g_assert_cmpstr (json_object_get_string_member (school, "address"), ==, "");
  g_assert_cmpint (json_object_get_int_member (school, "rev"), ==, 3);
  policy = json_object_get_object_member (school, "policy");
  g_assert_nonnull (policy);
  g_assert_true (json_array_get_double_element (json_object_get_array_member (policy, "rounding"), 0) == 4.5);
}

static void
test_row_staff_flags_bool_nullable (RowFixture    *fixture,
                                    gconstpointer  data)
{
  g_autoptr(JsonArray) rows = rows_as_json (fixture, &zh_staff_info);
  JsonObject *deputy = json_array_get_object_element (rows, 0);
  JsonObject *other = json_array_get_object_element (rows, 1);
  JsonArray *roles;

  assert_members_are_fields (deputy, &zh_staff_info);
  /* 25 = admin | class_teacher | teacher, in bit order. */
  roles = json_object_get_array_member (deputy, "roles");
  g_assert_cmpuint (json_array_get_length (roles), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (roles, 0), ==, "admin");
  g_assert_cmpstr (json_array_get_string_element (roles, 1), ==, "class_teacher");
  g_assert_cmpstr (json_array_get_string_element (roles, 2), ==, "teacher");
  g_assert_true (json_object_get_boolean_member (deputy, "active"));
  g_assert_cmpstr (json_object_get_string_member (deputy, "login"), ==, "deputy");
  g_assert_cmpstr (json_object_get_string_member (deputy, "middle_name"), ==, "");

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (other, "roles")), ==, 0);
  g_assert_false (json_object_get_boolean_member (other, "active"));
  g_assert_true (json_object_get_null_member (other, "login"));
}

static void
test_row_lesson_times_enum (RowFixture    *fixture,
                            gconstpointer  data)
{
  g_autoptr(JsonArray) rows = rows_as_json (fixture, &zh_lesson_info);
  JsonObject *lesson = json_array_get_object_element (rows, 0);

  assert_members_are_fields (lesson, &zh_lesson_info);
  g_assert_cmpstr (json_object_get_string_member (lesson, "date"), ==, "2026-11-23");
  g_assert_cmpint (json_object_get_int_member (lesson, "number"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (lesson, "kind"), ==, "test");
  g_assert_cmpstr (json_object_get_string_member (lesson, "topic"), ==, "Дроби \"и\" доли");
  g_assert_true (json_object_get_boolean_member (lesson, "substitute"));
  g_assert_cmpstr (json_object_get_string_member (lesson, "topic_entered_at"), ==, "2026-11-23T09:15:00Z");
  g_assert_true (json_object_get_null_member (lesson, "homework_entered_at"));
  g_assert_true (json_object_get_null_member (lesson, "received_at"));
  g_assert_true (json_object_get_null_member (lesson, "plan_item_id"));
  g_assert_cmpint (json_object_get_int_member (lesson, "rev"), ==, 0);
}

static void
test_row_enrollment_null_enum_real (RowFixture    *fixture,
                                    gconstpointer  data)
{
  g_autoptr(JsonArray) enrollments = rows_as_json (fixture, &zh_enrollment_info);
  g_autoptr(JsonArray) curriculum = rows_as_json (fixture, &zh_curriculum_info);
  JsonObject *enrollment = json_array_get_object_element (enrollments, 0);
  JsonObject *row = json_array_get_object_element (curriculum, 0);

  assert_members_are_fields (enrollment, &zh_enrollment_info);
  g_assert_cmpstr (json_object_get_string_member (enrollment, "reason"), ==, "start");
  g_assert_true (json_object_get_null_member (enrollment, "end_reason"));
  g_assert_true (json_object_get_null_member (enrollment, "date_to"));

  assert_members_are_fields (row, &zh_curriculum_info);
  g_assert_true (json_object_get_double_member (row, "hours_per_week") == 4.5);
  g_assert_cmpint (json_object_get_int_member (row, "hours_per_year"), ==, 153);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-writer/escape/table", test_escape_table);
  g_test_add_func ("/json-writer/round-trip/json-glib", test_round_trip);
  g_test_add_func ("/json-writer/numbers/shortest-exact", test_numbers);
  g_test_add_func ("/json-writer/times/iso8601-utc", test_times);
  g_test_add ("/json-writer/row/school-policy-embedded", RowFixture, NULL,
              row_setup, test_row_school_json_field, row_teardown);
  g_test_add ("/json-writer/row/staff-roles-active-login", RowFixture, NULL,
              row_setup, test_row_staff_flags_bool_nullable, row_teardown);
  g_test_add ("/json-writer/row/lesson-times-kind", RowFixture, NULL,
              row_setup, test_row_lesson_times_enum, row_teardown);
  g_test_add ("/json-writer/row/enrollment-curriculum", RowFixture, NULL,
              row_setup, test_row_enrollment_null_enum_real, row_teardown);

  return g_test_run ();
}
