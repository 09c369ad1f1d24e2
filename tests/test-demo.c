/* test-demo: the generated demo school is deterministic, consistent and follows the school rules
 * it imitates. One small school (scale 0.25: 11 classes) is made once and checked by every test;
 * the determinism and CLI tests make their own. */
#define G_LOG_DOMAIN "test-demo"

#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "zh-demo.h"
#include "zh-model.h"
#include "zh-store.h"
#include "zh-test-utils.h"

#define TODAY "2026-10-15"
#define SCALE 0.25

static char *tmpdir;
static char *shared_path;
static ZhDemoStats shared_stats;
static sqlite3 *db;

static gint64
query_int (const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static void
generate (const char  *path,
          guint64      seed,
          ZhDemoStats *stats)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = zh_store_open (path, ZH_STORE_FLAGS_BULK_LOAD, &error);
  ZhDemoOptions options = { SCALE, seed, TODAY };

  g_assert_no_error (error);
  g_assert_true (zh_demo_generate (store, &options, NULL, NULL, stats, &error));
  g_assert_no_error (error);
}

/* SHA-256 of every row of @table in id order (meta: in key order). */
static char *
hash_table (const char *path,
            const char *table)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s ORDER BY %s", table,
                                          g_str_equal (table, "meta") ? "key" : "id");
  sqlite3 *other = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &other, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (other, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          const guchar *text = sqlite3_column_text (stmt, i);

          if (text != NULL)
            g_checksum_update (sum, text, -1);
          else
            g_checksum_update (sum, (const guchar *) "\x01NULL", -1);
          g_checksum_update (sum, (const guchar *) "\x1f", 1);
        }
      g_checksum_update (sum, (const guchar *) "\x1e", 1);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (other);
  return g_strdup (g_checksum_get_string (sum));
}

/* ---- Through the command line ---- */

static int
run_cli (const char * const *argv,
         char              **out,
         char              **err)
{
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  /* English messages, whatever the desktop's language. */
  env = g_environ_unsetenv (env, "LANGUAGE");
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}


/* The school made through `zhurnalctl demo-school` with the shared school's options: made once,
 * by whichever test needs it first. */
static char *cli_path;
static char *cli_out;
static char *cli_err;
static int cli_status = -1;

static const char *
cli_program (void)
{
  static char *program;

  if (program == NULL)
    program = zh_test_build_path ("src", "cli", "zhurnalctl", NULL);
  return program;
}

static void
ensure_cli_school (void)
{
  if (cli_path != NULL)
    return;
  cli_path = g_build_filename (tmpdir, "cli.sqlite", NULL);
  {
    const char *argv[] = { cli_program (), "demo-school", "--out", cli_path, "--scale", "0.25",
                           "--seed", "1", "--today", TODAY, NULL };

    cli_status = run_cli (argv, &cli_out, &cli_err);
  }
}

/* The same seed, scale and date give byte-identical tables — made in this process and by
 * zhurnalctl in another; another seed gives another school. */
static void
test_determinism (void)
{
  g_autofree char *other = g_build_filename (tmpdir, "other.sqlite", NULL);
  const char *same;
  ZhDemoStats stats;
  guint differing = 0;

  ensure_cli_school ();
  g_assert_cmpint (cli_status, ==, 0);
  same = cli_path;
  generate (other, 2, &stats);
  for (guint i = 0; i <= ZH_DEMO_N_TABLES; i++)
    {
      const char *table = i < ZH_DEMO_N_TABLES ? zh_demo_table_name (i) : "meta";
      g_autofree char *a = hash_table (shared_path, table);
      g_autofree char *b = hash_table (same, table);
      g_autofree char *c = hash_table (other, table);

      g_assert_cmpstr (a, ==, b);
      if (!g_str_equal (a, c))
        differing++;
    }
  g_assert_cmpuint (differing, >=, ZH_DEMO_N_TABLES - 3);
}

static void
test_not_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = zh_store_open (shared_path, ZH_STORE_FLAGS_NONE, &error);
  ZhDemoOptions options = { SCALE, 1, TODAY };

  g_assert_no_error (error);
  g_assert_false (zh_demo_generate (store, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, ZH_DEMO_ERROR, ZH_DEMO_ERROR_NOT_EMPTY);
  g_assert_nonnull (strstr (error->message, shared_path));
  g_assert_cmpint (query_int ("SELECT count(*) FROM school"), ==, 1);
}

static void
test_bad_options (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "bad.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = zh_store_open (path, ZH_STORE_FLAGS_NONE, &error);
  ZhDemoOptions zero = { 0, 1, TODAY };
  ZhDemoOptions month13 = { 1, 1, "2026-13-01" };
  ZhDemoOptions feb30 = { 1, 1, "2026-02-30" };

  g_assert_no_error (error);
  g_assert_false (zh_demo_generate (store, &zero, NULL, NULL, NULL, &error));
  g_assert_error (error, ZH_DEMO_ERROR, ZH_DEMO_ERROR_INVALID_SCALE);
  g_clear_error (&error);
  g_assert_false (zh_demo_generate (store, &month13, NULL, NULL, NULL, &error));
  g_assert_error (error, ZH_DEMO_ERROR, ZH_DEMO_ERROR_INVALID_DATE);
  g_clear_error (&error);
  g_assert_false (zh_demo_generate (store, &feb30, NULL, NULL, NULL, &error));
  g_assert_error (error, ZH_DEMO_ERROR, ZH_DEMO_ERROR_INVALID_DATE);
}

/* The counts reported are the rows written, table by table in the order of zh_entities[]. */
static void
test_stats (void)
{
  guint64 total = 0;

  for (guint i = 0; i < ZH_DEMO_N_TABLES; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", zh_demo_table_name (i));

      g_assert_cmpstr (zh_demo_table_name (i), ==, zh_entities[i]->table);
      g_assert_cmpint (query_int (sql), ==, shared_stats.rows[i]);
      g_assert_cmpuint (shared_stats.rows[i], >, 0);
      total += shared_stats.rows[i];
    }
  g_assert_null (zh_entities[ZH_DEMO_N_TABLES]);
  g_assert_cmpuint (total, ==, shared_stats.total);
  g_assert_cmpuint (shared_stats.n_classes, ==, 11);
  g_assert_cmpstr (shared_stats.today, ==, TODAY);
  g_assert_cmpint (shared_stats.first_year, ==, 2025);
  g_assert_cmpint (query_int ("SELECT count(*) FROM class WHERE year_id = "
                              "(SELECT id FROM academic_year WHERE name = '2026/2027')"), ==, 11);
  g_assert_cmpint (query_int ("SELECT count(*) FROM meta WHERE key = 'demo' AND "
                              "json_extract(value, '$.today') = '" TODAY "'"), ==, 1);
}

static void
test_foreign_keys (void)
{
  g_assert_cmpint (query_int ("SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM correction WHERE target_id NOT IN "
                              "(SELECT id FROM mark UNION ALL SELECT id FROM period_mark)"), ==, 0);
}

/* Ids are UUIDv7: version 7, variant 10xx, lower-case hex, unique across tables. */
static void
test_uuid_v7 (void)
{
  for (guint i = 0; i < ZH_DEMO_N_TABLES; i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "SELECT count(*) FROM %s WHERE length(id) != 36 OR substr(id, 15, 1) != '7' OR "
        "substr(id, 20, 1) NOT IN ('8', '9', 'a', 'b') OR id GLOB '*[^0-9a-f-]*'",
        zh_demo_table_name (i));

      g_assert_cmpint (query_int (sql), ==, 0);
    }
}

/* 000 §3.11: no marks in grade 1 (the policy default); grade 2 has them. */
static void
test_no_marks_in_grade_1 (void)
{
#define MARKS_IN_GRADE "SELECT count(*) FROM mark m JOIN lesson l ON l.id = m.lesson_id " \
                       "JOIN study_group g ON g.id = l.group_id JOIN class c ON c.id = g.class_id " \
                       "WHERE c.grade = "
  const char *grade1 = MARKS_IN_GRADE "1";
  const char *grade2 = MARKS_IN_GRADE "2";

  g_assert_cmpint (query_int (grade1), ==, 0);
  g_assert_cmpint (query_int (grade2), >, 100);
  g_assert_cmpint (query_int ("SELECT count(*) FROM period_mark pm JOIN study_group g ON g.id = pm.group_id "
                              "JOIN class c ON c.id = g.class_id WHERE c.grade = 1"), ==, 0);
}

/* A mark or an attendance record belongs to a student on the group's list on the lesson's date. */
static void
test_members_only (void)
{
  const char *tables[] = { "mark", "attendance" };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "SELECT count(*) FROM %s x JOIN lesson l ON l.id = x.lesson_id WHERE NOT EXISTS "
        "(SELECT 1 FROM group_member gm WHERE gm.group_id = l.group_id AND gm.student_id = x.student_id "
        "AND gm.date_from <= l.date AND (gm.date_to IS NULL OR gm.date_to >= l.date))", tables[i]);

      g_assert_cmpint (query_int (sql), ==, 0);
    }
  /* …and the lists do change: someone arrived and someone left in each year. */
  g_assert_cmpint (query_int ("SELECT count(DISTINCT substr(date_from, 1, 4)) FROM enrollment "
                              "WHERE reason = 'arrival'"), ==, 2);
  g_assert_cmpint (query_int ("SELECT count(*) FROM enrollment WHERE end_reason = 'departure'"), >=, 2);
  g_assert_cmpint (query_int ("SELECT count(*) FROM group_member WHERE date_to IS NOT NULL AND "
                              "date_to < '2026-05-31'"), >, 0);
}

/* Nothing is recorded for a day after today, nor entered after it. */
static void
test_not_after_today (void)
{
  gint64 end_of_today = query_int ("SELECT unixepoch('" TODAY " 23:59:59', '-3 hours')");

  g_assert_cmpint (query_int ("SELECT count(*) FROM lesson WHERE date > '" TODAY "'"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM lesson WHERE date = '" TODAY "'"), >, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM mark m JOIN lesson l ON l.id = m.lesson_id "
                              "WHERE l.date > '" TODAY "'"), ==, 0);
  g_assert_cmpint (query_int ("SELECT max(entered_at) FROM mark"), <=, end_of_today);
  g_assert_cmpint (query_int ("SELECT max(entered_at) FROM period_mark"), <=, end_of_today);
  g_assert_cmpint (query_int ("SELECT max(topic_entered_at) FROM lesson"), <=, end_of_today);
}

/* An absent student gets no mark in that lesson; a late one may. */
static void
test_no_mark_when_absent (void)
{
  g_assert_cmpint (query_int ("SELECT count(*) FROM mark m JOIN attendance a ON a.lesson_id = m.lesson_id "
                              "AND a.student_id = m.student_id WHERE a.code != 'late'"), ==, 0);
}

/* About 8 % of the places on the lists of the lessons held are absences. */
static void
test_absence_share (void)
{
  gint64 absences = query_int ("SELECT count(*) FROM attendance WHERE code != 'late'");
  gint64 places = query_int ("SELECT count(*) FROM lesson l JOIN group_member gm ON gm.group_id = l.group_id "
                             "AND gm.date_from <= l.date AND (gm.date_to IS NULL OR gm.date_to >= l.date)");
  double share = (double) absences / places;

  g_test_message ("absences: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " (%.1f %%)", absences, places,
                  100 * share);
  g_assert_cmpfloat (share, >=, 0.05);
  g_assert_cmpfloat (share, <=, 0.11);
  g_assert_cmpint (places, ==, shared_stats.years[0].student_slots + shared_stats.years[1].student_slots);
}

/* 002 §5.3: the class teacher sets the reasons weekly; the last week's absences have none yet. */
static void
test_absence_reasons (void)
{
  g_assert_cmpint (query_int ("SELECT count(*) FROM attendance a JOIN lesson l ON l.id = a.lesson_id "
                              "WHERE a.code = 'absent' AND l.date < date('" TODAY "', '-7 days')"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM attendance a JOIN lesson l ON l.id = a.lesson_id "
                              "WHERE a.code = 'absent' AND l.date > date('" TODAY "', '-7 days')"), >, 0);
  g_assert_cmpint (query_int ("SELECT count(DISTINCT code) FROM attendance"), ==, 5);
}

/* Lessons fall on term-time weekdays of their year, never on a holiday. */
static void
test_school_days (void)
{
  g_assert_cmpint (query_int ("SELECT count(*) FROM lesson WHERE strftime('%w', date) IN ('0', '6')"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM lesson WHERE substr(date, 6) IN "
                              "('11-04', '02-23', '03-08', '05-01', '05-09')"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM lesson l JOIN study_group g ON g.id = l.group_id "
                              "JOIN class c ON c.id = g.class_id WHERE NOT EXISTS (SELECT 1 FROM period p "
                              "WHERE p.year_id = c.year_id AND p.kind = 'quarter' AND "
                              "l.date BETWEEN p.starts AND p.ends)"), ==, 0);
  /* The holidays are holidays: autumn (27.10–04.11), winter, spring. */
  g_assert_cmpint (query_int ("SELECT count(*) FROM lesson WHERE date BETWEEN '2025-10-27' AND '2025-11-04' "
                              "OR date BETWEEN '2025-12-29' AND '2026-01-08' "
                              "OR date BETWEEN '2026-03-23' AND '2026-03-31'"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(DISTINCT date) FROM lesson WHERE date < '2026-09-01'"), >=, 165);
}

/* 001 §4.2, 002 §5.1: quarters in grades 1–9, half-years in 10–11, in each of the two years. */
static void
test_period_structure (void)
{
  g_assert_cmpint (query_int ("SELECT count(*) FROM academic_year"), ==, 2);
  g_assert_cmpint (query_int ("SELECT count(*) FROM period WHERE kind = 'quarter' AND grade_from = 1 "
                              "AND grade_to = 9"), ==, 8);
  g_assert_cmpint (query_int ("SELECT count(*) FROM period WHERE kind = 'half' AND grade_from = 10 "
                              "AND grade_to = 11"), ==, 4);
  g_assert_cmpint (query_int ("SELECT count(*) FROM academic_year WHERE name = '2025/2026' AND "
                              "starts = '2025-09-01' AND ends = '2026-05-31'"), ==, 1);
}

/* 000 §3.5.6, 004 §4.4.11: foreign language is taught in two subgroups, each with its members. */
static void
test_subgroups (void)
{
  const char *lang = "(SELECT id FROM subject WHERE name = 'Иностранный язык (английский)')";
  g_autofree char *whole = g_strdup_printf ("SELECT count(*) FROM study_group WHERE subject_id = %s "
                                            "AND subgroup = 0", lang);
  g_autofree char *split = g_strdup_printf ("SELECT count(*) FROM study_group WHERE subject_id = %s "
                                            "AND subgroup IN (1, 2)", lang);
  g_autofree char *empty = g_strdup_printf ("SELECT count(*) FROM study_group g WHERE subject_id = %s "
                                            "AND NOT EXISTS (SELECT 1 FROM group_member gm WHERE "
                                            "gm.group_id = g.id)", lang);

  g_assert_cmpint (query_int (whole), ==, 0);
  g_assert_cmpint (query_int (split), ==, 2 * 2 * 10);   /* two years × grades 2–11 × 2 */
  g_assert_cmpint (query_int (empty), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM study_group g JOIN subject s ON s.id = g.subject_id "
                              "WHERE s.name IN ('Информатика', 'Труд (технология)') AND g.subgroup > 0"), >, 0);
  /* Every group, whole-class ones too, has members. */
  g_assert_cmpint (query_int ("SELECT count(*) FROM study_group g WHERE NOT EXISTS "
                              "(SELECT 1 FROM group_member gm WHERE gm.group_id = g.id)"), ==, 0);
}

/* The four demo logins exist with their roles; the teacher teaches several groups; the class
 * teacher keeps a class and teaches too. */
static void
test_logins (void)
{
  g_assert_cmpint (query_int ("SELECT count(*) FROM staff WHERE login IS NOT NULL"), ==, 4);
  g_assert_cmpint (query_int ("SELECT roles & 1 FROM staff WHERE login = 'admin'"), ==, 1);
  g_assert_cmpint (query_int ("SELECT roles & 2 FROM staff WHERE login = 'deputy'"), ==, 2);
  g_assert_cmpint (query_int ("SELECT roles & 24 FROM staff WHERE login = 'classteacher'"), ==, 24);
  g_assert_cmpint (query_int ("SELECT roles & 16 FROM staff WHERE login = 'teacher'"), ==, 16);
  g_assert_cmpint (query_int ("SELECT count(*) FROM study_group g JOIN class c ON c.id = g.class_id "
                              "JOIN academic_year y ON y.id = c.year_id AND y.name = '2026/2027' "
                              "WHERE g.teacher_id = (SELECT id FROM staff WHERE login = 'teacher')"), >=, 2);
  g_assert_cmpint (query_int ("SELECT count(*) FROM class c JOIN academic_year y ON y.id = c.year_id "
                              "AND y.name = '2026/2027' WHERE c.class_teacher_id = "
                              "(SELECT id FROM staff WHERE login = 'classteacher')"), ==, 1);
  g_assert_cmpint (query_int ("SELECT count(*) FROM study_group WHERE teacher_id = "
                              "(SELECT id FROM staff WHERE login = 'classteacher')"), >=, 1);
  g_assert_cmpint (query_int ("SELECT count(*) FROM staff WHERE roles & 4"), ==, 1);
  g_assert_cmpint (query_int ("SELECT count(*) FROM staff WHERE roles & 2"), ==, 2);
}

/* 000 §4.2.4: period marks for finished periods only; last year's are all there. */
static void
test_period_marks (void)
{
  g_assert_cmpint (query_int ("SELECT count(*) FROM period_mark pm JOIN period p ON p.id = pm.period_id "
                              "WHERE p.ends >= '" TODAY "'"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(DISTINCT period_id) FROM period_mark"), ==, 6);
  g_assert_cmpint (query_int ("SELECT count(*) FROM period_mark WHERE kind = 'year'"), >, 0);
  /* Each quarter mark in grades 2–9 of a student who stayed all year, per group. */
  g_assert_cmpint (query_int ("SELECT count(*) FROM period_mark WHERE kind = 'period' AND value NOT IN "
                              "('2', '3', '4', '5', 'pass', 'fail')"), ==, 0);
}

/* 000 §7.4: the exam (ГИА) column is filled in grade 9 only; grades 9 and 11 get final marks. */
static void
test_exam_and_final (void)
{
#define PERIOD_MARKS "SELECT count(*) FROM period_mark pm JOIN study_group g ON g.id = pm.group_id " \
                     "JOIN class c ON c.id = g.class_id WHERE "
  const char *exam9 = PERIOD_MARKS "pm.kind = 'exam' AND c.grade = 9";
  const char *exam_other = PERIOD_MARKS "pm.kind = 'exam' AND c.grade != 9";
  const char *final911 = PERIOD_MARKS "pm.kind = 'final' AND c.grade IN (9, 11)";
  const char *final_other = PERIOD_MARKS "pm.kind = 'final' AND c.grade NOT IN (9, 11)";

  g_assert_cmpint (query_int (exam9), >, 0);
  g_assert_cmpint (query_int (exam_other), ==, 0);
  g_assert_cmpint (query_int (final911), >, 0);
  g_assert_cmpint (query_int (final_other), ==, 0);
}

static void
test_names_with_yo (void)
{
  g_assert_cmpint (query_int ("SELECT count(*) FROM student WHERE last_name || first_name || middle_name "
                              "LIKE '%ё%'"), >, 0);
  /* Feminine surnames: «-ова», never a man's «-ов» for a girl. */
  g_assert_cmpint (query_int ("SELECT count(*) FROM student WHERE gender = 'female' AND "
                              "(last_name LIKE '%ов' OR last_name LIKE '%ский')"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM student WHERE gender = 'male' AND "
                              "(last_name LIKE '%ова' OR middle_name LIKE '%вна')"), ==, 0);
}

/* 002 §5.2: each mark has a work type with its weight, from the policy's default list. */
static void
test_work_types (void)
{
  g_assert_cmpint (query_int ("SELECT count(*) FROM mark WHERE (work_type, weight) NOT IN (VALUES "
                              "('answer', 1.0), ('homework', 1.0), ('independent', 1.5), ('quiz', 1.5), "
                              "('practical', 1.5), ('lab', 1.5), ('project', 1.5), ('dictation', 2.0), "
                              "('essay', 2.0), ('exposition', 2.0), ('test', 2.0))"), ==, 0);
  /* Compositions get a double mark, parts 1 and 2 (002 §5.2). */
  g_assert_cmpint (query_int ("SELECT count(*) FROM mark WHERE work_type = 'essay' AND part = 0"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM mark WHERE work_type = 'essay' AND part = 2"), >, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM mark WHERE value NOT IN "
                              "('1', '2', '3', '4', '5', 'pass', 'fail')"), ==, 0);
  /* Mostly 4 and 5, few 2s. */
  g_assert_cmpint (query_int ("SELECT count(*) FROM mark WHERE value IN ('4', '5')") * 2, >,
                   query_int ("SELECT count(*) FROM mark"));
  g_assert_cmpint (query_int ("SELECT count(*) FROM mark WHERE value = '2'") * 10, <,
                   query_int ("SELECT count(*) FROM mark"));
}

/* 002 §7, REQUIREMENTS §4: corrections keep the old mark (state 'corrected') and give a reason and
 * a document; a few substitutions are marked (001 §5.3). */
static void
test_corrections_and_substitutions (void)
{
  g_assert_cmpint (query_int ("SELECT count(*) FROM correction"), >=, 2);
  g_assert_cmpint (query_int ("SELECT count(*) FROM correction c WHERE NOT EXISTS ("
                              "SELECT 1 FROM mark m WHERE m.id = c.target_id AND m.state = 'corrected' "
                              "UNION ALL SELECT 1 FROM period_mark p WHERE p.id = c.target_id AND "
                              "p.state = 'corrected')"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM correction WHERE document NOT LIKE 'Приказ № % от __.__.____' "
                              "OR authorised_by != (SELECT id FROM staff WHERE login = 'deputy')"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM mark WHERE state = 'corrected'") +
                   query_int ("SELECT count(*) FROM period_mark WHERE state = 'corrected'"), ==,
                   query_int ("SELECT count(*) FROM correction"));
  g_assert_cmpint (query_int ("SELECT count(*) FROM lesson WHERE substitute = 1"), >, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM lesson l JOIN study_group g ON g.id = l.group_id "
                              "WHERE l.substitute = 1 AND l.teacher_id = g.teacher_id"), ==, 0);
}

/* REQUIREMENTS §6: the deputy's review finds late topics and, in recent weeks, missing ones. */
static void
test_late_and_missing_entries (void)
{
  g_assert_cmpint (query_int ("SELECT count(*) FROM lesson WHERE topic_entered_at IS NULL AND topic = '' "
                              "AND date >= date('" TODAY "', '-21 days')"), >, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM lesson WHERE topic_entered_at IS NULL "
                              "AND date < date('" TODAY "', '-21 days')"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM lesson WHERE topic_entered_at > "
                              "unixepoch(date, '+1 day', '-3 hours')"), >, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM mark m JOIN lesson l ON l.id = m.lesson_id WHERE "
                              "m.entered_at > unixepoch(l.date, '+8 days', '-3 hours')"), >, 0);
  /* Topics follow the plan: a lesson's plan item belongs to its group. */
  g_assert_cmpint (query_int ("SELECT count(*) FROM lesson l JOIN plan_item p ON p.id = l.plan_item_id "
                              "WHERE p.group_id != l.group_id OR p.topic != l.topic"), ==, 0);
  /* The plan has as many hours as the curriculum (000 §3.5.4, 004 §4.4.7). */
  g_assert_cmpint (query_int ("SELECT count(*) FROM (SELECT p.group_id FROM plan_item p "
                              "JOIN study_group g ON g.id = p.group_id JOIN curriculum c ON "
                              "c.class_id = g.class_id AND c.subject_id = g.subject_id "
                              "GROUP BY p.group_id HAVING sum(p.hours) != max(c.hours_per_year))"), ==, 0);
}

static void
test_cli (void)
{
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *again[] = { cli_program (), "demo-school", "--out", NULL, "--seed", "2", NULL };
  g_auto(GStrv) lines = NULL;
  gboolean seen_mark = FALSE;

  ensure_cli_school ();
  g_assert_cmpint (cli_status, ==, 0);
  g_assert_cmpstr (cli_err, ==, "");   /* no progress when stderr is not a terminal */
  g_assert_true (g_str_has_prefix (cli_out, "Demo school: "));
  g_assert_nonnull (strstr (cli_out, "(scale 0.25, seed 1, today 15.10.2026)"));
  lines = g_strsplit (cli_out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "mark "))
      {
        GString *digits = g_string_new (NULL);

        for (const char *p = lines[i] + 5; *p != '\0'; p++)
          if (g_ascii_isdigit (*p))
            g_string_append_c (digits, *p);
        g_assert_cmpuint (g_ascii_strtoull (digits->str, NULL, 10), ==, shared_stats.rows[14]);
        g_string_free (digits, TRUE);
        seen_mark = TRUE;
      }
  g_assert_true (seen_mark);
  g_assert_nonnull (strstr (cli_out, "\ntotal "));

  /* A second run must refuse the file it made, naming it, and leave it as it was. */
  before = hash_table (cli_path, "student");
  again[3] = cli_path;
  g_assert_cmpint (run_cli (again, &out2, &err2), !=, 0);
  g_assert_nonnull (strstr (err2, cli_path));
  g_assert_cmpstr (out2, ==, "");
  after = hash_table (cli_path, "student");
  g_assert_cmpstr (before, ==, after);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = zh_test_tmpdir_new ();
  shared_path = g_build_filename (tmpdir, "demo.sqlite", NULL);
  generate (shared_path, 1, &shared_stats);
  g_assert_cmpint (sqlite3_open_v2 (shared_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);

  g_test_add_func ("/demo/determinism/same-seed-same-tables", test_determinism);
  g_test_add_func ("/demo/store/refuses-non-empty", test_not_empty);
  g_test_add_func ("/demo/options/refuses-bad-scale-and-date", test_bad_options);
  g_test_add_func ("/demo/stats/match-rows", test_stats);
  g_test_add_func ("/demo/schema/foreign-keys", test_foreign_keys);
  g_test_add_func ("/demo/ids/uuid-v7", test_uuid_v7);
  g_test_add_func ("/demo/marks/none-in-grade-1", test_no_marks_in_grade_1);
  g_test_add_func ("/demo/journal/members-only", test_members_only);
  g_test_add_func ("/demo/journal/not-after-today", test_not_after_today);
  g_test_add_func ("/demo/marks/none-when-absent", test_no_mark_when_absent);
  g_test_add_func ("/demo/attendance/share", test_absence_share);
  g_test_add_func ("/demo/attendance/reasons-weekly", test_absence_reasons);
  g_test_add_func ("/demo/calendar/school-days", test_school_days);
  g_test_add_func ("/demo/calendar/periods-by-grade", test_period_structure);
  g_test_add_func ("/demo/groups/subgroups", test_subgroups);
  g_test_add_func ("/demo/staff/logins", test_logins);
  g_test_add_func ("/demo/period-marks/finished-periods-only", test_period_marks);
  g_test_add_func ("/demo/period-marks/exam-grade-9-only", test_exam_and_final);
  g_test_add_func ("/demo/names/yo-and-gender", test_names_with_yo);
  g_test_add_func ("/demo/marks/work-types", test_work_types);
  g_test_add_func ("/demo/marks/corrections-and-substitutions", test_corrections_and_substitutions);
  g_test_add_func ("/demo/lessons/late-and-missing", test_late_and_missing_entries);
  g_test_add_func ("/demo/cli/table-and-refusal", test_cli);

  status = g_test_run ();
  sqlite3_close (db);
  zh_test_tmpdir_free (tmpdir);
  g_free (shared_path);
  g_free (cli_path);
  g_free (cli_out);
  g_free (cli_err);
  return status;
}
