/* test-entity-sql: the field tables agree with the schema, and every entity goes into a real
 * database and comes back equal; the schema's rules surface as ZH_STORE_ERROR_CONSTRAINT. */
#define G_LOG_DOMAIN "test-entity-sql"

#include "config.h"

#include <string.h>

#include "zh-entity-sql.h"
#include "zh-json-writer.h"
#include "zh-test-utils.h"

/* 2026-11-23T09:15:00Z */
#define MONDAY_0915 G_GINT64_CONSTANT (1795425300)

#define N_ENTITIES 18

typedef struct
{
  char    *dir;
  ZhStore *store;
  gpointer rows[N_ENTITIES];   /* one row of each entity, indexed like zh_entities[] */
} Fixture;

static guint
entity_index (const ZhEntityInfo *info)
{
  for (guint i = 0; zh_entities[i] != NULL; i++)
    if (zh_entities[i] == info)
      return i;
  g_assert_not_reached ();
}

#define ROW(f, Type, name) ((Type *) (f)->rows[entity_index (&zh_##name##_info)])

/* A small school with one row of every entity, each row with a value in every field, each
 * referring only to rows of earlier entities (zh_entities[] is in dependency order). */
static void
make_school (Fixture *f)
{
  g_autoptr(ZhSchool) school = zh_school_new ();
  g_autoptr(ZhAcademicYear) year = zh_academic_year_new ();
  g_autoptr(ZhPeriod) period = zh_period_new ();
  g_autoptr(ZhStaff) staff = zh_staff_new ();
  g_autoptr(ZhClass) klass = zh_class_new ();
  g_autoptr(ZhStudent) student = zh_student_new ();
  g_autoptr(ZhEnrollment) enrollment = zh_enrollment_new ();
  g_autoptr(ZhSubject) subject = zh_subject_new ();
  g_autoptr(ZhGroup) group = zh_group_new ();
  g_autoptr(ZhGroupMember) member = zh_group_member_new ();
  g_autoptr(ZhCurriculum) curriculum = zh_curriculum_new ();
  g_autoptr(ZhPlanItem) plan_item = zh_plan_item_new ();
  g_autoptr(ZhTimetableSlot) slot = zh_timetable_slot_new ();
  g_autoptr(ZhLesson) lesson = zh_lesson_new ();
  g_autoptr(ZhMark) mark = zh_mark_new ();
  g_autoptr(ZhAttendance) attendance = zh_attendance_new ();
  g_autoptr(ZhPeriodMark) period_mark = zh_period_mark_new ();
  g_autoptr(ZhCorrection) correction = zh_correction_new ();

  school->id = zh_uuid_new ();
  school->name = g_strdup ("Лицей №7");
  school->full_name = g_strdup ("МОАУ «Лицей №7» г. Оренбурга");
  school->address = g_strdup ("Оренбург, ул. Ленина, 1");
  school->director = g_strdup ("Сергеев П. П.");
  school->policy = g_strdup ("{\"min_marks\":3,\"thresholds\":[4.5,3.5,2.5]}");
  school->rev = 1;

  year->id = zh_uuid_new ();
  year->school_id = g_strdup (school->id);
  year->name = g_strdup ("2025/2026");
  year->starts = g_strdup ("2025-09-01");
  year->ends = g_strdup ("2026-05-31");
  year->rev = 2;

  period->id = zh_uuid_new ();
  period->year_id = g_strdup (year->id);
  period->kind = ZH_PERIOD_KIND_HALF;
  period->number = 2;
  period->starts = g_strdup ("2026-01-12");
  period->ends = g_strdup ("2026-05-31");
  period->grade_from = 10;
  period->grade_to = 11;
  period->rev = 3;

  staff->id = zh_uuid_new ();
  staff->school_id = g_strdup (school->id);
  staff->last_name = g_strdup ("Иванова");
  staff->first_name = g_strdup ("Анна");
  staff->middle_name = g_strdup ("Петровна");
  staff->roles = ZH_ROLE_ADMIN | ZH_ROLE_TEACHER;
  staff->position = g_strdup ("учитель математики");
  staff->login = g_strdup ("ivanova");
  staff->active = TRUE;
  staff->rev = 4;

  klass->id = zh_uuid_new ();
  klass->year_id = g_strdup (year->id);
  klass->grade = 10;
  klass->letter = g_strdup ("А");
  klass->class_teacher_id = g_strdup (staff->id);
  klass->rev = 5;

  student->id = zh_uuid_new ();
  student->school_id = g_strdup (school->id);
  student->last_name = g_strdup ("Алёшин");
  student->first_name = g_strdup ("Фёдор");
  student->middle_name = g_strdup ("Семёнович");
  student->birth_date = g_strdup ("2010-03-08");
  student->gender = ZH_GENDER_MALE;
  student->rev = 6;

  enrollment->id = zh_uuid_new ();
  enrollment->student_id = g_strdup (student->id);
  enrollment->class_id = g_strdup (klass->id);
  enrollment->date_from = g_strdup ("2025-09-01");
  enrollment->date_to = g_strdup ("2026-01-15");
  enrollment->reason = ZH_ENROLL_REASON_ARRIVAL;
  enrollment->end_reason = ZH_END_REASON_TRANSFER;
  enrollment->rev = 7;

  subject->id = zh_uuid_new ();
  subject->school_id = g_strdup (school->id);
  subject->name = g_strdup ("Алгебра и начала анализа");
  subject->short_name = g_strdup ("Алг.");
  subject->rev = 8;

  group->id = zh_uuid_new ();
  group->class_id = g_strdup (klass->id);
  group->subject_id = g_strdup (subject->id);
  group->subgroup = 1;
  group->teacher_id = g_strdup (staff->id);
  group->rev = 9;

  member->id = zh_uuid_new ();
  member->group_id = g_strdup (group->id);
  member->student_id = g_strdup (student->id);
  member->date_from = g_strdup ("2025-09-01");
  member->date_to = g_strdup ("2026-05-31");
  member->rev = 10;

  curriculum->id = zh_uuid_new ();
  curriculum->class_id = g_strdup (klass->id);
  curriculum->subject_id = g_strdup (subject->id);
  curriculum->hours_per_week = 3.5;
  curriculum->hours_per_year = 119;
  curriculum->rev = 11;

  plan_item->id = zh_uuid_new ();
  plan_item->group_id = g_strdup (group->id);
  plan_item->number = 12;
  plan_item->topic = g_strdup ("Квадратные уравнения");
  plan_item->hours = 2;
  plan_item->rev = 12;

  slot->id = zh_uuid_new ();
  slot->group_id = g_strdup (group->id);
  slot->weekday = 1;
  slot->number = 2;
  slot->valid_from = g_strdup ("2025-09-01");
  slot->valid_to = g_strdup ("2026-05-31");
  slot->room = g_strdup ("204");
  slot->rev = 13;

  lesson->id = zh_uuid_new ();
  lesson->group_id = g_strdup (group->id);
  lesson->date = g_strdup ("2026-11-23");
  lesson->number = 2;
  lesson->kind = ZH_LESSON_KIND_TEST;
  lesson->topic = g_strdup ("Контрольная работа «Квадратные уравнения»");
  lesson->homework = g_strdup ("№ 312, 315");
  lesson->plan_item_id = g_strdup (plan_item->id);
  lesson->teacher_id = g_strdup (staff->id);
  lesson->substitute = TRUE;
  lesson->topic_entered_at = MONDAY_0915;
  lesson->homework_entered_at = MONDAY_0915 + 60;
  lesson->entered_by = g_strdup (staff->id);
  lesson->received_at = MONDAY_0915 + 120;
  lesson->rev = 14;

  mark->id = zh_uuid_new ();
  mark->lesson_id = g_strdup (lesson->id);
  mark->student_id = g_strdup (student->id);
  mark->value = g_strdup ("5");
  mark->work_type = g_strdup ("test");
  mark->weight = 2.5;
  mark->part = 1;
  mark->comment = g_strdup ("пересдача 30.11");
  mark->state = ZH_MARK_STATE_CORRECTED;
  mark->entered_by = g_strdup (staff->id);
  mark->entered_at = MONDAY_0915 + 1800;
  mark->received_at = MONDAY_0915 + 1900;
  mark->rev = 15;

  attendance->id = zh_uuid_new ();
  attendance->lesson_id = g_strdup (lesson->id);
  attendance->student_id = g_strdup (student->id);
  attendance->code = ZH_ATTENDANCE_ILL;
  attendance->comment = g_strdup ("справка");
  attendance->entered_by = g_strdup (staff->id);
  attendance->entered_at = MONDAY_0915 + 300;
  attendance->received_at = MONDAY_0915 + 400;
  attendance->rev = 16;

  period_mark->id = zh_uuid_new ();
  period_mark->student_id = g_strdup (student->id);
  period_mark->group_id = g_strdup (group->id);
  period_mark->kind = ZH_PERIOD_MARK_KIND_PERIOD;
  period_mark->period_id = g_strdup (period->id);
  period_mark->value = g_strdup ("4");
  period_mark->state = ZH_MARK_STATE_CORRECTED;
  period_mark->entered_by = g_strdup (staff->id);
  period_mark->entered_at = MONDAY_0915 + 3600;
  period_mark->received_at = MONDAY_0915 + 3700;
  period_mark->rev = 17;

  correction->id = zh_uuid_new ();
  correction->target_kind = ZH_CORRECTION_TARGET_MARK;
  correction->target_id = g_strdup (mark->id);
  correction->old_value = g_strdup ("5");
  correction->new_value = g_strdup ("4");
  correction->reason = ZH_CORRECTION_REASON_APPEAL_UPHELD;
  correction->document = g_strdup ("Протокол конфликтной комиссии №3");
  correction->authorised_by = g_strdup (staff->id);
  correction->at = MONDAY_0915 + 7200;
  correction->rev = 18;

  f->rows[entity_index (&zh_school_info)] = g_steal_pointer (&school);
  f->rows[entity_index (&zh_academic_year_info)] = g_steal_pointer (&year);
  f->rows[entity_index (&zh_period_info)] = g_steal_pointer (&period);
  f->rows[entity_index (&zh_staff_info)] = g_steal_pointer (&staff);
  f->rows[entity_index (&zh_class_info)] = g_steal_pointer (&klass);
  f->rows[entity_index (&zh_student_info)] = g_steal_pointer (&student);
  f->rows[entity_index (&zh_enrollment_info)] = g_steal_pointer (&enrollment);
  f->rows[entity_index (&zh_subject_info)] = g_steal_pointer (&subject);
  f->rows[entity_index (&zh_group_info)] = g_steal_pointer (&group);
  f->rows[entity_index (&zh_group_member_info)] = g_steal_pointer (&member);
  f->rows[entity_index (&zh_curriculum_info)] = g_steal_pointer (&curriculum);
  f->rows[entity_index (&zh_plan_item_info)] = g_steal_pointer (&plan_item);
  f->rows[entity_index (&zh_timetable_slot_info)] = g_steal_pointer (&slot);
  f->rows[entity_index (&zh_lesson_info)] = g_steal_pointer (&lesson);
  f->rows[entity_index (&zh_mark_info)] = g_steal_pointer (&mark);
  f->rows[entity_index (&zh_attendance_info)] = g_steal_pointer (&attendance);
  f->rows[entity_index (&zh_period_mark_info)] = g_steal_pointer (&period_mark);
  f->rows[entity_index (&zh_correction_info)] = g_steal_pointer (&correction);

  for (guint i = 0; i < N_ENTITIES; i++)
    g_assert_nonnull (f->rows[i]);
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  g_assert_null (zh_entities[N_ENTITIES]);
  f->dir = zh_test_tmpdir_new ();
  path = g_build_filename (f->dir, "journal.db", NULL);
  f->store = zh_store_open (path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  make_school (f);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  for (guint i = 0; i < N_ENTITIES; i++)
    zh_entity_free (zh_entities[i], f->rows[i]);
  g_clear_object (&f->store);
  zh_test_tmpdir_free (f->dir);
}

/* Put the fixture rows of the entities before zh_entities[@n], the parents a row may need. */
static void
put_parents (Fixture *f,
             guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      zh_store_put_entity (f->store, zh_entities[i], f->rows[i], &error);
      g_assert_no_error (error);
    }
}

static void
put_all (Fixture *f)
{
  put_parents (f, N_ENTITIES);
}

static gint64
query_int (Fixture    *f,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (zh_store_get_db (f->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
query_text (Fixture    *f,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (zh_store_get_db (f->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* ---- The field tables and the schema --------------------------------------------------------- */

/* The columns of the entity's table are its fields, by name and in order. */
static void
test_columns (Fixture       *f,
              gconstpointer  data)
{
  const ZhEntityInfo *info = data;
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info (\"%s\")", info->table);
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (zh_store_get_db (f->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (columns, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  sqlite3_finalize (stmt);

  for (guint i = 0; i < MAX (columns->len, info->n_fields); i++)
    {
      const char *column = i < columns->len ? g_ptr_array_index (columns, i) : "(none)";
      const char *field = i < info->n_fields ? info->fields[i].name : "(none)";

      if (g_strcmp0 (column, field) != 0)
        g_error ("%s: column %u of table %s is %s, field %u is %s",
                 info->name, i, info->table, column, i, field);
    }
}

static void
test_select_text (void)
{
  static const ZhField fields[] = {
    { "id", ZH_FIELD_UUID, ZH_FIELD_REQUIRED, 0, NULL },
    { "order", ZH_FIELD_INT, 0, sizeof (char *), NULL },
  };
  static const ZhEntityInfo keywords = { "group", "group", "groups", sizeof (ZhEntity), fields, 2 };
  g_autofree char *plan = zh_entity_sql_select (&zh_plan_item_info);
  g_autofree char *quoted = zh_entity_sql_select (&keywords);

  g_assert_cmpstr (plan, ==, "SELECT id, group_id, number, topic, hours, rev FROM plan_item");
  /* Names SQLite reads as keywords are quoted. */
  g_assert_cmpstr (quoted, ==, "SELECT id, \"order\" FROM \"group\"");
}

/* ---- Rows in and out ------------------------------------------------------------------------- */

/* Every entity, with a value in every field, comes back from the database equal. */
static void
test_put_get (Fixture       *f,
              gconstpointer  data)
{
  const ZhEntityInfo *info = data;
  guint index = entity_index (info);
  const ZhEntity *row = f->rows[index];
  g_autoptr(GError) error = NULL;
  gpointer got;

  put_parents (f, index);
  g_assert_true (zh_store_put_entity (f->store, info, row, &error));
  g_assert_no_error (error);

  got = zh_store_get_entity (f->store, info, row->id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_true (got != (gpointer) row);
  if (!zh_entity_equal (info, row, got))
    {
      g_autofree char *want = zh_entity_to_string (info, row);
      g_autofree char *have = zh_entity_to_string (info, got);

      g_error ("%s: put %s, got %s", info->name, want, have);
    }
  zh_entity_free (info, got);
}

/* The service writes rows straight from SQLite as JSON (zh-json-writer.c) while clients decode
 * them with the model's codecs: for every entity, what the writer makes of a stored row decodes to
 * the very struct that was stored, nullable fields set and unset. */
static void
check_writer_agrees (Fixture            *f,
                     const ZhEntityInfo *info,
                     gconstpointer       row)
{
  g_autofree char *select = zh_entity_sql_select (info);
  g_autofree char *sql = g_strconcat (select, " WHERE id = ?", NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  ZhJsonWriter *writer = zh_json_writer_new (out);
  sqlite3_stmt *stmt = zh_store_prepare (f->store, sql, &error);
  gpointer decoded;

  g_assert_no_error (error);
  sqlite3_bind_text (stmt, 1, ((const ZhEntity *) row)->id, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  zh_json_writer_add_row (writer, info, stmt, 0);
  sqlite3_reset (stmt);
  g_assert_true (zh_json_writer_is_complete (writer));
  zh_json_writer_free (writer);

  decoded = zh_entity_from_string (info, out->str, out->len, &error);
  g_assert_no_error (error);
  if (!zh_entity_equal (info, row, decoded))
    {
      g_autofree char *want = zh_entity_to_string (info, row);

      g_error ("%s: stored %s, the writer wrote %s", info->name, want, out->str);
    }
  zh_entity_free (info, decoded);
}

static void
test_writer_agrees (Fixture       *f,
                    gconstpointer  data)
{
  const ZhEntityInfo *info = data;
  guint index = entity_index (info);
  gconstpointer row = f->rows[index];
  g_autoptr(GError) error = NULL;

  put_parents (f, index);
  g_assert_true (zh_store_put_entity (f->store, info, row, &error));
  g_assert_no_error (error);
  check_writer_agrees (f, info, row);
}

/* With its nullable fields unset, an entity stores SQL NULL there and comes back equal. */
static void
test_put_get_nulls (Fixture       *f,
                    gconstpointer  data)
{
  const ZhEntityInfo *info = data;
  guint index = entity_index (info);
  gpointer row = zh_entity_copy (info, f->rows[index]);
  g_autoptr(GError) error = NULL;
  gpointer got;

  for (guint i = 0; i < info->n_fields; i++)
    {
      const ZhField *field = &info->fields[i];
      gpointer slot = (guint8 *) row + field->offset;

      if ((field->flags & ZH_FIELD_NULLABLE) == 0)
        continue;
      if (field->type == ZH_FIELD_UUID || field->type == ZH_FIELD_STRING || field->type == ZH_FIELD_DATE)
        g_clear_pointer ((char **) slot, g_free);
      else if (field->type == ZH_FIELD_TIME || field->type == ZH_FIELD_INT)
        *(gint64 *) slot = 0;
      else if (field->type == ZH_FIELD_ENUM)
        *(int *) slot = 0;
      else
        g_assert_not_reached ();
    }
  /* The schema ties period_id to kind 'period' (000 §7): a year mark has none. */
  if (info == &zh_period_mark_info)
    ((ZhPeriodMark *) row)->kind = ZH_PERIOD_MARK_KIND_YEAR;

  put_parents (f, index);
  zh_store_put_entity (f->store, info, row, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < info->n_fields; i++)
    {
      const ZhField *field = &info->fields[i];
      g_autofree char *sql = NULL;

      if ((field->flags & ZH_FIELD_NULLABLE) == 0)
        continue;
      sql = g_strdup_printf ("SELECT \"%s\" IS NULL FROM \"%s\" WHERE id = '%s'",
                             field->name, info->table, ((ZhEntity *) row)->id);
      if (query_int (f, sql) != 1)
        g_error ("%s.%s: an unset value is not stored as NULL", info->name, field->name);
    }

  got = zh_store_get_entity (f->store, info, ((ZhEntity *) row)->id, &error);
  g_assert_no_error (error);
  g_assert_true (zh_entity_equal (info, row, got));
  check_writer_agrees (f, info, row);
  zh_entity_free (info, got);
  zh_entity_free (info, row);
}

/* Values are stored as the schema's conventions say. */
static void
test_stored_form (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *policy = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *sql = NULL;

  put_all (f);

  g_assert_cmpint (query_int (f, "SELECT roles FROM staff"), ==, ZH_ROLE_ADMIN | ZH_ROLE_TEACHER);
  g_assert_cmpint (query_int (f, "SELECT typeof (roles) = 'integer' FROM staff"), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT active FROM staff"), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT substitute FROM lesson"), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT entered_at FROM mark"), ==, MONDAY_0915 + 1800);
  g_assert_cmpint (query_int (f, "SELECT typeof (weight) = 'real' FROM mark"), ==, 1);
  kind = query_text (f, "SELECT kind FROM lesson");
  g_assert_cmpstr (kind, ==, "test");
  policy = query_text (f, "SELECT policy FROM school");
  g_assert_cmpstr (policy, ==, ROW (f, ZhSchool, school)->policy);

  /* An enrollment still going on: no end date and no end reason, both NULL. */
  ROW (f, ZhEnrollment, enrollment)->end_reason = ZH_END_REASON_NONE;
  g_clear_pointer (&ROW (f, ZhEnrollment, enrollment)->date_to, g_free);
  g_assert_true (zh_store_put_entity (f->store, &zh_enrollment_info, ROW (f, ZhEnrollment, enrollment), NULL));
  sql = g_strdup_printf ("SELECT end_reason IS NULL AND date_to IS NULL FROM enrollment "
                         "WHERE id = '%s'", ROW (f, ZhEnrollment, enrollment)->id);
  g_assert_cmpint (query_int (f, sql), ==, 1);
}

/* Columns left NULL or at their schema default read back as the fields' defaults. */
static void
test_null_columns (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStaff) staff = NULL;
  g_autofree char *id = zh_uuid_new ();
  g_autofree char *sql = NULL;

  put_parents (f, entity_index (&zh_school_info) + 1);
  sql = g_strdup_printf ("INSERT INTO staff (id, school_id, last_name, first_name) "
                         "VALUES ('%s', '%s', 'Петров', 'Пётр')", id, ROW (f, ZhSchool, school)->id);
  g_assert_true (zh_store_exec (f->store, sql, &error));
  g_assert_no_error (error);

  staff = zh_store_get_entity (f->store, &zh_staff_info, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (staff->middle_name, ==, "");
  g_assert_cmpstr (staff->position, ==, "");
  g_assert_null (staff->login);
  g_assert_cmpuint (staff->roles, ==, ZH_ROLE_NONE);
  g_assert_true (staff->active);
  g_assert_cmpint (staff->rev, ==, 0);
}

/* zh_entity_from_stmt reads from any column on, after columns of the caller's own. */
static void
test_from_stmt_offset (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *select = zh_entity_sql_select (&zh_mark_info);
  g_autofree char *sql = g_strconcat ("SELECT 'before', ", select + strlen ("SELECT "), NULL);
  sqlite3_stmt *stmt;
  g_autoptr(ZhMark) mark = NULL;

  put_all (f);
  stmt = zh_store_prepare (f->store, sql, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "before");
  mark = zh_entity_from_stmt (&zh_mark_info, stmt, 1, &error);
  g_assert_no_error (error);
  g_assert_true (zh_entity_equal (&zh_mark_info, mark, ROW (f, ZhMark, mark)));
  sqlite3_reset (stmt);
}

/* A code this build does not know (a newer version wrote it) is an error, not a silent 0. */
static void
test_unknown_enum_code (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  gpointer lesson;

  put_all (f);
  sql = g_strdup_printf ("UPDATE lesson SET kind = 'seminar' WHERE id = '%s'", ROW (f, ZhLesson, lesson)->id);
  g_assert_true (zh_store_exec (f->store, sql, NULL));

  lesson = zh_store_get_entity (f->store, &zh_lesson_info, ROW (f, ZhLesson, lesson)->id, &error);
  g_assert_null (lesson);
  g_assert_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "kind"));
  g_assert_nonnull (strstr (error->message, "seminar"));
}

/* A second put of the same id replaces every column of the row. */
static void
test_upsert (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhMark) changed = NULL;
  g_autoptr(ZhMark) got = NULL;
  g_autofree char *count = NULL;

  put_all (f);
  changed = zh_mark_copy (ROW (f, ZhMark, mark));
  g_free (changed->value);
  changed->value = g_strdup ("4");
  g_clear_pointer (&changed->comment, g_free);
  changed->state = ZH_MARK_STATE_ACTIVE;
  changed->weight = 1.0;
  changed->part = 0;
  g_clear_pointer (&changed->entered_by, g_free);
  changed->received_at = 0;
  changed->rev = 99;
  g_assert_false (zh_entity_equal (&zh_mark_info, changed, ROW (f, ZhMark, mark)));

  g_assert_true (zh_store_put_entity (f->store, &zh_mark_info, changed, &error));
  g_assert_no_error (error);
  got = zh_store_get_entity (f->store, &zh_mark_info, changed->id, &error);
  g_assert_no_error (error);
  g_assert_true (zh_entity_equal (&zh_mark_info, got, changed));
  g_assert_cmpstr (got->comment, ==, "");
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM mark"), ==, 1);
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *id;
  gpointer got;

  put_all (f);
  id = ROW (f, ZhAttendance, attendance)->id;
  g_assert_true (zh_store_delete_entity (f->store, &zh_attendance_info, id, &error));
  g_assert_no_error (error);

  got = zh_store_get_entity (f->store, &zh_attendance_info, id, &error);
  g_assert_null (got);
  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, id));
  g_clear_error (&error);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM attendance"), ==, 0);

  /* A tombstone for a row this copy never had, or already removed, is harmless. */
  g_assert_true (zh_store_delete_entity (f->store, &zh_attendance_info, id, &error));
  g_assert_no_error (error);
}

static void
test_get_missing (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = zh_uuid_new ();

  g_assert_null (zh_store_get_entity (f->store, &zh_school_info, id, &error));
  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND);
}

/* ---- The schema's rules ---------------------------------------------------------------------- */

static void
assert_put_refused (Fixture            *f,
                    const ZhEntityInfo *info,
                    gconstpointer       row)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM \"%s\" WHERE id = '%s'",
                                          info->table, ((const ZhEntity *) row)->id);

  g_assert_false (zh_store_put_entity (f->store, info, row, &error));
  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, ((const ZhEntity *) row)->id));
  g_assert_cmpint (query_int (f, sql), ==, 0);
}

/* A mark for a lesson that does not exist breaks the foreign key. */
static void
test_foreign_key (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ZhMark) mark = NULL;

  put_parents (f, entity_index (&zh_mark_info));
  mark = zh_mark_copy (ROW (f, ZhMark, mark));
  g_free (mark->lesson_id);
  mark->lesson_id = zh_uuid_new ();
  assert_put_refused (f, &zh_mark_info, mark);
}

/* A lesson that marks still refer to cannot be deleted. */
static void
test_delete_referenced (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  put_all (f);
  g_assert_false (zh_store_delete_entity (f->store, &zh_lesson_info, ROW (f, ZhLesson, lesson)->id, &error));
  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_CONSTRAINT);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM lesson"), ==, 1);
}

/* CHECK constraints: period numbers 1..6 (001 §4.2), a correction must name its document (002 §7),
 * a mark's weight is positive. */
static void
test_check (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(ZhPeriod) period = NULL;
  g_autoptr(ZhCorrection) correction = NULL;
  g_autoptr(ZhMark) mark = NULL;

  put_parents (f, entity_index (&zh_correction_info));

  period = zh_period_copy (ROW (f, ZhPeriod, period));
  g_free (period->id);
  period->id = zh_uuid_new ();
  period->number = 9;
  assert_put_refused (f, &zh_period_info, period);

  mark = zh_mark_copy (ROW (f, ZhMark, mark));
  g_free (mark->id);
  mark->id = zh_uuid_new ();
  mark->weight = 0;
  assert_put_refused (f, &zh_mark_info, mark);

  correction = zh_correction_copy (ROW (f, ZhCorrection, correction));
  g_free (correction->document);
  correction->document = g_strdup ("");
  assert_put_refused (f, &zh_correction_info, correction);
}

/* A required id left NULL reaches SQLite as NULL and is refused by NOT NULL. */
static void
test_not_null (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(ZhMark) mark = NULL;

  put_parents (f, entity_index (&zh_mark_info));
  mark = zh_mark_copy (ROW (f, ZhMark, mark));
  g_clear_pointer (&mark->student_id, g_free);
  assert_put_refused (f, &zh_mark_info, mark);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; zh_entities[i] != NULL; i++)
    {
      const ZhEntityInfo *info = zh_entities[i];
      g_autofree char *columns = g_strdup_printf ("/entity-sql/columns/%s", info->name);
      g_autofree char *put_get = g_strdup_printf ("/entity-sql/put-get/%s", info->name);
      g_autofree char *nulls = g_strdup_printf ("/entity-sql/put-get-nulls/%s", info->name);

      g_test_add (columns, Fixture, info, setup, test_columns, teardown);
      g_test_add (put_get, Fixture, info, setup, test_put_get, teardown);
      g_test_add (nulls, Fixture, info, setup, test_put_get_nulls, teardown);
      {
        g_autofree char *writer = g_strdup_printf ("/entity-sql/%s/json-writer-agrees", info->name);

        g_test_add (writer, Fixture, info, setup, test_writer_agrees, teardown);
      }
    }
  g_test_add_func ("/entity-sql/select-text", test_select_text);
  g_test_add ("/entity-sql/stored-form", Fixture, NULL, setup, test_stored_form, teardown);
  g_test_add ("/entity-sql/null-columns", Fixture, NULL, setup, test_null_columns, teardown);
  g_test_add ("/entity-sql/from-stmt-offset", Fixture, NULL, setup, test_from_stmt_offset, teardown);
  g_test_add ("/entity-sql/unknown-enum-code", Fixture, NULL, setup, test_unknown_enum_code, teardown);
  g_test_add ("/entity-sql/upsert", Fixture, NULL, setup, test_upsert, teardown);
  g_test_add ("/entity-sql/delete", Fixture, NULL, setup, test_delete, teardown);
  g_test_add ("/entity-sql/get-missing", Fixture, NULL, setup, test_get_missing, teardown);
  g_test_add ("/entity-sql/constraint/foreign-key", Fixture, NULL, setup, test_foreign_key, teardown);
  g_test_add ("/entity-sql/constraint/delete-referenced", Fixture, NULL, setup,
              test_delete_referenced, teardown);
  g_test_add ("/entity-sql/constraint/check", Fixture, NULL, setup, test_check, teardown);
  g_test_add ("/entity-sql/constraint/not-null", Fixture, NULL, setup, test_not_null, teardown);

  return g_test_run ();
}
