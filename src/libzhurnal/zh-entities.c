/* zh-entities.c: the field tables of every entity (zh-model.h). They mirror the columns of
 * data/schema/schema.sql one for one, in the same order; test-entity-sql checks that they agree. */
#define G_LOG_DOMAIN "zh-model"

#include "config.h"

#include "zh-model.h"

#define REQ ZH_FIELD_REQUIRED
#define OPT ZH_FIELD_NULLABLE
#define SRV (ZH_FIELD_SERVER | ZH_FIELD_NULLABLE)

#define FIELD(S, f, t, fl)     { #f, t, fl, G_STRUCT_OFFSET (S, f), NULL }
/* An INT or BOOL field whose schema DEFAULT is not 0. */
#define FIELD_DEFAULT(S, f, t, fl, d) { #f, t, fl, G_STRUCT_OFFSET (S, f), NULL, d }
#define ENUM(S, f, fl, gtype)  { #f, ZH_FIELD_ENUM, fl, G_STRUCT_OFFSET (S, f), gtype }
#define FLAGS(S, f, fl, gtype) { #f, ZH_FIELD_FLAGS, fl, G_STRUCT_OFFSET (S, f), gtype }
/* Every table starts with id and ends with rev (data/schema/schema.sql), whatever the order of
 * the struct's members: the field tables follow the columns. */
#define HEADER(S) FIELD (S, id, ZH_FIELD_UUID, REQ)
#define REV(S)    FIELD (S, rev, ZH_FIELD_INT, ZH_FIELD_SERVER)

#define ENTITY(name, S, table, collection, fields) \
  const ZhEntityInfo zh_##name##_info = { #name, table, collection, sizeof (S), fields, G_N_ELEMENTS (fields) }

static const ZhField school_fields[] = {
  HEADER (ZhSchool),
  FIELD (ZhSchool, name, ZH_FIELD_STRING, REQ),
  FIELD (ZhSchool, full_name, ZH_FIELD_STRING, REQ),
  FIELD (ZhSchool, address, ZH_FIELD_STRING, 0),
  FIELD (ZhSchool, director, ZH_FIELD_STRING, 0),
  FIELD (ZhSchool, policy, ZH_FIELD_JSON, 0),
  REV (ZhSchool),
};
ENTITY (school, ZhSchool, "school", "schools", school_fields);

static const ZhField academic_year_fields[] = {
  HEADER (ZhAcademicYear),
  FIELD (ZhAcademicYear, school_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhAcademicYear, name, ZH_FIELD_STRING, REQ),
  FIELD (ZhAcademicYear, starts, ZH_FIELD_DATE, REQ),
  FIELD (ZhAcademicYear, ends, ZH_FIELD_DATE, REQ),
  REV (ZhAcademicYear),
};
ENTITY (academic_year, ZhAcademicYear, "academic_year", "years", academic_year_fields);

static const ZhField period_fields[] = {
  HEADER (ZhPeriod),
  FIELD (ZhPeriod, year_id, ZH_FIELD_UUID, REQ),
  ENUM (ZhPeriod, kind, REQ, zh_period_kind_get_type),
  FIELD (ZhPeriod, number, ZH_FIELD_INT, REQ),
  FIELD (ZhPeriod, starts, ZH_FIELD_DATE, REQ),
  FIELD (ZhPeriod, ends, ZH_FIELD_DATE, REQ),
  FIELD (ZhPeriod, grade_from, ZH_FIELD_INT, REQ),
  FIELD (ZhPeriod, grade_to, ZH_FIELD_INT, REQ),
  REV (ZhPeriod),
};
ENTITY (period, ZhPeriod, "period", "periods", period_fields);

static const ZhField staff_fields[] = {
  HEADER (ZhStaff),
  FIELD (ZhStaff, school_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhStaff, last_name, ZH_FIELD_STRING, REQ),
  FIELD (ZhStaff, first_name, ZH_FIELD_STRING, REQ),
  FIELD (ZhStaff, middle_name, ZH_FIELD_STRING, 0),
  FLAGS (ZhStaff, roles, REQ, zh_roles_get_type),
  FIELD (ZhStaff, position, ZH_FIELD_STRING, 0),
  FIELD (ZhStaff, login, ZH_FIELD_STRING, OPT),
  FIELD_DEFAULT (ZhStaff, active, ZH_FIELD_BOOL, 0, TRUE),
  REV (ZhStaff),
};
ENTITY (staff, ZhStaff, "staff", "staff", staff_fields);

static const ZhField class_fields[] = {
  HEADER (ZhClass),
  FIELD (ZhClass, year_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhClass, grade, ZH_FIELD_INT, REQ),
  FIELD (ZhClass, letter, ZH_FIELD_STRING, REQ),
  FIELD (ZhClass, class_teacher_id, ZH_FIELD_UUID, OPT),
  REV (ZhClass),
};
ENTITY (class, ZhClass, "class", "classes", class_fields);

static const ZhField student_fields[] = {
  HEADER (ZhStudent),
  FIELD (ZhStudent, school_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhStudent, last_name, ZH_FIELD_STRING, REQ),
  FIELD (ZhStudent, first_name, ZH_FIELD_STRING, REQ),
  FIELD (ZhStudent, middle_name, ZH_FIELD_STRING, 0),
  FIELD (ZhStudent, birth_date, ZH_FIELD_DATE, REQ),
  ENUM (ZhStudent, gender, REQ, zh_gender_get_type),
  REV (ZhStudent),
};
ENTITY (student, ZhStudent, "student", "students", student_fields);

static const ZhField enrollment_fields[] = {
  HEADER (ZhEnrollment),
  FIELD (ZhEnrollment, student_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhEnrollment, class_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhEnrollment, date_from, ZH_FIELD_DATE, REQ),
  FIELD (ZhEnrollment, date_to, ZH_FIELD_DATE, OPT),
  ENUM (ZhEnrollment, reason, REQ, zh_enroll_reason_get_type),
  ENUM (ZhEnrollment, end_reason, OPT, zh_end_reason_get_type),
  REV (ZhEnrollment),
};
ENTITY (enrollment, ZhEnrollment, "enrollment", "enrollments", enrollment_fields);

static const ZhField subject_fields[] = {
  HEADER (ZhSubject),
  FIELD (ZhSubject, school_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhSubject, name, ZH_FIELD_STRING, REQ),
  FIELD (ZhSubject, short_name, ZH_FIELD_STRING, REQ),
  REV (ZhSubject),
};
ENTITY (subject, ZhSubject, "subject", "subjects", subject_fields);

static const ZhField group_fields[] = {
  HEADER (ZhGroup),
  FIELD (ZhGroup, class_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhGroup, subject_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhGroup, subgroup, ZH_FIELD_INT, 0),
  FIELD (ZhGroup, teacher_id, ZH_FIELD_UUID, OPT),
  REV (ZhGroup),
};
ENTITY (group, ZhGroup, "study_group", "groups", group_fields);

static const ZhField group_member_fields[] = {
  HEADER (ZhGroupMember),
  FIELD (ZhGroupMember, group_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhGroupMember, student_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhGroupMember, date_from, ZH_FIELD_DATE, REQ),
  FIELD (ZhGroupMember, date_to, ZH_FIELD_DATE, OPT),
  REV (ZhGroupMember),
};
ENTITY (group_member, ZhGroupMember, "group_member", "group-members", group_member_fields);

static const ZhField curriculum_fields[] = {
  HEADER (ZhCurriculum),
  FIELD (ZhCurriculum, class_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhCurriculum, subject_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhCurriculum, hours_per_week, ZH_FIELD_REAL, REQ),
  FIELD (ZhCurriculum, hours_per_year, ZH_FIELD_INT, REQ),
  REV (ZhCurriculum),
};
ENTITY (curriculum, ZhCurriculum, "curriculum", "curriculum", curriculum_fields);

static const ZhField plan_item_fields[] = {
  HEADER (ZhPlanItem),
  FIELD (ZhPlanItem, group_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhPlanItem, number, ZH_FIELD_INT, REQ),
  FIELD (ZhPlanItem, topic, ZH_FIELD_STRING, REQ),
  FIELD_DEFAULT (ZhPlanItem, hours, ZH_FIELD_INT, 0, 1),
  REV (ZhPlanItem),
};
ENTITY (plan_item, ZhPlanItem, "plan_item", "plan-items", plan_item_fields);

static const ZhField timetable_slot_fields[] = {
  HEADER (ZhTimetableSlot),
  FIELD (ZhTimetableSlot, group_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhTimetableSlot, weekday, ZH_FIELD_INT, REQ),
  FIELD (ZhTimetableSlot, number, ZH_FIELD_INT, REQ),
  FIELD (ZhTimetableSlot, valid_from, ZH_FIELD_DATE, REQ),
  FIELD (ZhTimetableSlot, valid_to, ZH_FIELD_DATE, REQ),
  FIELD (ZhTimetableSlot, room, ZH_FIELD_STRING, 0),
  REV (ZhTimetableSlot),
};
ENTITY (timetable_slot, ZhTimetableSlot, "timetable_slot", "timetable", timetable_slot_fields);

static const ZhField lesson_fields[] = {
  HEADER (ZhLesson),
  FIELD (ZhLesson, group_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhLesson, date, ZH_FIELD_DATE, REQ),
  FIELD (ZhLesson, number, ZH_FIELD_INT, REQ),
  ENUM (ZhLesson, kind, 0, zh_lesson_kind_get_type),
  FIELD (ZhLesson, topic, ZH_FIELD_STRING, 0),
  FIELD (ZhLesson, homework, ZH_FIELD_STRING, 0),
  FIELD (ZhLesson, plan_item_id, ZH_FIELD_UUID, OPT),
  FIELD (ZhLesson, teacher_id, ZH_FIELD_UUID, OPT),
  FIELD (ZhLesson, substitute, ZH_FIELD_BOOL, 0),
  FIELD (ZhLesson, topic_entered_at, ZH_FIELD_TIME, OPT),
  FIELD (ZhLesson, homework_entered_at, ZH_FIELD_TIME, OPT),
  FIELD (ZhLesson, entered_by, ZH_FIELD_UUID, OPT),
  FIELD (ZhLesson, received_at, ZH_FIELD_TIME, SRV),
  REV (ZhLesson),
};
ENTITY (lesson, ZhLesson, "lesson", "lessons", lesson_fields);

static const ZhField mark_fields[] = {
  HEADER (ZhMark),
  FIELD (ZhMark, lesson_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhMark, student_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhMark, value, ZH_FIELD_STRING, REQ),
  FIELD (ZhMark, work_type, ZH_FIELD_STRING, REQ),
  FIELD (ZhMark, weight, ZH_FIELD_REAL, REQ),
  FIELD (ZhMark, part, ZH_FIELD_INT, 0),
  FIELD (ZhMark, comment, ZH_FIELD_STRING, 0),
  ENUM (ZhMark, state, 0, zh_mark_state_get_type),
  FIELD (ZhMark, entered_by, ZH_FIELD_UUID, OPT),
  FIELD (ZhMark, entered_at, ZH_FIELD_TIME, REQ),
  FIELD (ZhMark, received_at, ZH_FIELD_TIME, SRV),
  REV (ZhMark),
};
ENTITY (mark, ZhMark, "mark", "marks", mark_fields);

static const ZhField attendance_fields[] = {
  HEADER (ZhAttendance),
  FIELD (ZhAttendance, lesson_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhAttendance, student_id, ZH_FIELD_UUID, REQ),
  ENUM (ZhAttendance, code, REQ, zh_attendance_code_get_type),
  FIELD (ZhAttendance, comment, ZH_FIELD_STRING, 0),
  FIELD (ZhAttendance, entered_by, ZH_FIELD_UUID, OPT),
  FIELD (ZhAttendance, entered_at, ZH_FIELD_TIME, REQ),
  FIELD (ZhAttendance, received_at, ZH_FIELD_TIME, SRV),
  REV (ZhAttendance),
};
ENTITY (attendance, ZhAttendance, "attendance", "attendance", attendance_fields);

static const ZhField period_mark_fields[] = {
  HEADER (ZhPeriodMark),
  FIELD (ZhPeriodMark, student_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhPeriodMark, group_id, ZH_FIELD_UUID, REQ),
  ENUM (ZhPeriodMark, kind, REQ, zh_period_mark_kind_get_type),
  FIELD (ZhPeriodMark, period_id, ZH_FIELD_UUID, OPT),
  FIELD (ZhPeriodMark, value, ZH_FIELD_STRING, REQ),
  ENUM (ZhPeriodMark, state, 0, zh_mark_state_get_type),
  FIELD (ZhPeriodMark, entered_by, ZH_FIELD_UUID, OPT),
  FIELD (ZhPeriodMark, entered_at, ZH_FIELD_TIME, REQ),
  FIELD (ZhPeriodMark, received_at, ZH_FIELD_TIME, SRV),
  REV (ZhPeriodMark),
};
ENTITY (period_mark, ZhPeriodMark, "period_mark", "period-marks", period_mark_fields);

static const ZhField correction_fields[] = {
  HEADER (ZhCorrection),
  ENUM (ZhCorrection, target_kind, REQ, zh_correction_target_get_type),
  FIELD (ZhCorrection, target_id, ZH_FIELD_UUID, REQ),
  FIELD (ZhCorrection, old_value, ZH_FIELD_STRING, REQ),
  FIELD (ZhCorrection, new_value, ZH_FIELD_STRING, REQ),
  ENUM (ZhCorrection, reason, REQ, zh_correction_reason_get_type),
  FIELD (ZhCorrection, document, ZH_FIELD_STRING, REQ),
  FIELD (ZhCorrection, authorised_by, ZH_FIELD_UUID, REQ),
  FIELD (ZhCorrection, at, ZH_FIELD_TIME, REQ),
  REV (ZhCorrection),
};
ENTITY (correction, ZhCorrection, "correction", "corrections", correction_fields);

const ZhEntityInfo * const zh_entities[] = {
  &zh_school_info,
  &zh_academic_year_info,
  &zh_period_info,
  &zh_staff_info,
  &zh_class_info,
  &zh_student_info,
  &zh_enrollment_info,
  &zh_subject_info,
  &zh_group_info,
  &zh_group_member_info,
  &zh_curriculum_info,
  &zh_plan_item_info,
  &zh_timetable_slot_info,
  &zh_lesson_info,
  &zh_mark_info,
  &zh_attendance_info,
  &zh_period_mark_info,
  &zh_correction_info,
  NULL
};

/* zh_entity_info_lookup: the entity called @name («mark», «study_group» by table too), or NULL. */
const ZhEntityInfo *
zh_entity_info_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; zh_entities[i] != NULL; i++)
    if (g_str_equal (zh_entities[i]->name, name) || g_str_equal (zh_entities[i]->table, name))
      return zh_entities[i];
  return NULL;
}

/* zh_entity_info_find_field: the field of @info called @name, or NULL. */
const ZhField *
zh_entity_info_find_field (const ZhEntityInfo *info,
                           const char         *name)
{
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < info->n_fields; i++)
    if (g_str_equal (info->fields[i].name, name))
      return &info->fields[i];
  return NULL;
}
