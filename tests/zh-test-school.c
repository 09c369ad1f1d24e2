/* zh-test-school.c: a small school written straight into a database, for the sync tests. */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <string.h>

#include "zh-entity-sql.h"
#include "zh-policy.h"
#include "zh-test-school.h"

static void
put (ZhStore            *store,
     ZhTestSchool       *school,
     const ZhEntityInfo *info,
     gpointer            entity)
{
  g_autoptr(GError) error = NULL;

  zh_store_put_entity (store, info, entity, &error);
  g_assert_no_error (error);
  school->n_rows++;
  zh_entity_free (info, entity);
}

/* zh_test_date_days_ago: (transfer full): the date @days before today on the default school
 * clock (Europe/Moscow). */
char *
zh_test_date_days_ago (guint days)
{
  g_autoptr(ZhPolicy) policy = zh_policy_new_default ();
  GDate date;

  zh_policy_local_date (policy, g_get_real_time () / G_USEC_PER_SEC, &date);
  g_date_subtract_days (&date, days);
  return zh_date_format (&date);
}

static char *
make_staff (ZhStore      *store,
            ZhTestSchool *school,
            const char   *login,
            const char   *last_name,
            ZhRoles       roles)
{
  ZhStaff *staff = zh_staff_new ();
  char *id = zh_uuid_new ();

  staff->id = g_strdup (id);
  staff->school_id = g_strdup (school->school_id);
  staff->last_name = g_strdup (last_name);
  staff->first_name = g_strdup ("Анна");
  staff->middle_name = g_strdup ("Петровна");
  staff->position = g_strdup ("учитель");
  staff->login = g_strdup (login);
  staff->roles = roles;
  staff->active = TRUE;
  put (store, school, &zh_staff_info, staff);
  return id;
}

static char *
make_group (ZhStore      *store,
            ZhTestSchool *school,
            const char   *class_id,
            const char   *subject_id,
            const char   *teacher_id,
            char        **students)
{
  ZhGroup *group = zh_group_new ();
  char *id = zh_uuid_new ();

  group->id = g_strdup (id);
  group->class_id = g_strdup (class_id);
  group->subject_id = g_strdup (subject_id);
  group->teacher_id = g_strdup (teacher_id);
  put (store, school, &zh_group_info, group);

  for (guint i = 0; i < ZH_TEST_SCHOOL_STUDENTS; i++)
    {
      ZhGroupMember *member = zh_group_member_new ();

      member->id = zh_uuid_new ();
      member->group_id = g_strdup (id);
      member->student_id = g_strdup (students[i]);
      member->date_from = zh_test_date_days_ago (200);
      put (store, school, &zh_group_member_info, member);
    }
  return id;
}

static char *
make_lesson (ZhStore      *store,
             ZhTestSchool *school,
             const char   *group_id,
             const char   *teacher_id,
             guint         days_ago,
             int           number,
             char        **students,
             gboolean      with_marks)
{
  ZhLesson *lesson = zh_lesson_new ();
  g_autofree char *date = zh_test_date_days_ago (days_ago);
  char *id = zh_uuid_new ();
  gint64 at = g_get_real_time () / G_USEC_PER_SEC - (gint64) days_ago * 86400;

  lesson->id = g_strdup (id);
  lesson->group_id = g_strdup (group_id);
  lesson->date = g_strdup (date);
  lesson->number = number;
  lesson->topic = g_strdup (days_ago > 0 ? "Обыкновенные дроби" : "");
  lesson->homework = g_strdup (days_ago > 0 ? "№ 12, 14" : "");
  lesson->teacher_id = g_strdup (teacher_id);
  lesson->entered_by = g_strdup (teacher_id);
  if (days_ago > 0)
    lesson->topic_entered_at = lesson->homework_entered_at = at;
  put (store, school, &zh_lesson_info, lesson);

  if (days_ago == 0)
    return id;
  for (guint i = 0; i < 3 && with_marks; i++)
    {
      ZhMark *mark = zh_mark_new ();

      mark->id = zh_uuid_new ();
      mark->lesson_id = g_strdup (id);
      mark->student_id = g_strdup (students[i]);
      mark->value = g_strdup_printf ("%u", 3 + (days_ago + i) % 3);
      mark->work_type = g_strdup ("answer");
      mark->weight = 1;
      mark->comment = g_strdup ("");
      mark->entered_by = g_strdup (teacher_id);
      mark->entered_at = at;
      put (store, school, &zh_mark_info, mark);
    }
  {
    ZhAttendance *absence = zh_attendance_new ();

    absence->id = zh_uuid_new ();
    absence->lesson_id = g_strdup (id);
    absence->student_id = g_strdup (students[days_ago % ZH_TEST_SCHOOL_STUDENTS]);
    absence->code = ZH_ATTENDANCE_ABSENT;
    absence->comment = g_strdup ("");
    absence->entered_by = g_strdup (teacher_id);
    absence->entered_at = at;
    put (store, school, &zh_attendance_info, absence);
  }
  return id;
}

static void
make_students (ZhStore      *store,
               ZhTestSchool *school,
               const char   *class_id,
               char        **ids)
{
  for (guint i = 0; i < ZH_TEST_SCHOOL_STUDENTS; i++)
    {
      ZhStudent *student = zh_student_new ();
      ZhEnrollment *enrollment = zh_enrollment_new ();

      ids[i] = zh_uuid_new ();
      student->id = g_strdup (ids[i]);
      student->school_id = g_strdup (school->school_id);
      student->last_name = g_strdup_printf ("Ученик%u", i);
      student->first_name = g_strdup ("Иван");
      student->middle_name = g_strdup ("");
      student->birth_date = g_strdup ("2014-03-01");
      student->gender = i % 2 ? ZH_GENDER_MALE : ZH_GENDER_FEMALE;
      put (store, school, &zh_student_info, student);

      enrollment->id = zh_uuid_new ();
      enrollment->student_id = g_strdup (ids[i]);
      enrollment->class_id = g_strdup (class_id);
      enrollment->date_from = zh_test_date_days_ago (200);
      enrollment->reason = ZH_ENROLL_REASON_START;
      put (store, school, &zh_enrollment_info, enrollment);
    }
}

/* zh_test_school_fill: write the school into @store, with lessons on each of the @n_days days up
 * to today (at least 21, so that the 20-days-old lesson exists). */
void
zh_test_school_fill (ZhStore      *store,
                     ZhTestSchool *school,
                     guint         n_days)
{
  g_autoptr(GError) error = NULL;
  ZhSchool *row = zh_school_new ();
  ZhAcademicYear *year = zh_academic_year_new ();
  ZhPeriod *period = zh_period_new ();
  ZhClass *class5 = zh_class_new ();
  ZhClass *class1 = zh_class_new ();
  ZhSubject *math = zh_subject_new ();
  ZhSubject *russian = zh_subject_new ();
  g_autofree char *math_id = zh_uuid_new ();
  g_autofree char *russian_id = zh_uuid_new ();

  n_days = MAX (n_days, 21);
  memset (school, 0, sizeof *school);
  school->today = zh_test_date_days_ago (0);
  g_assert_true (zh_store_lock (store, &error));

  school->school_id = zh_uuid_new ();
  row->id = g_strdup (school->school_id);
  row->name = g_strdup ("Школа № 1");
  row->full_name = g_strdup ("МАОУ СОШ № 1");
  row->address = g_strdup ("");
  row->director = g_strdup ("");
  row->policy = g_strdup ("{}");
  put (store, school, &zh_school_info, row);

  school->year_id = zh_uuid_new ();
  year->id = g_strdup (school->year_id);
  year->school_id = g_strdup (school->school_id);
  year->name = g_strdup ("учебный год");
  year->starts = zh_test_date_days_ago (200);
  year->ends = g_strdup ("2099-08-31");
  put (store, school, &zh_academic_year_info, year);

  period->id = zh_uuid_new ();
  period->year_id = g_strdup (school->year_id);
  period->kind = ZH_PERIOD_KIND_HALF;
  period->number = 1;
  period->starts = zh_test_date_days_ago (200);
  period->ends = g_strdup ("2099-08-31");
  period->grade_from = 1;
  period->grade_to = 11;
  put (store, school, &zh_period_info, period);

  school->admin_id = make_staff (store, school, "admin", "Админова", ZH_ROLE_ADMIN);
  school->deputy_id = make_staff (store, school, "deputy", "Завучева", ZH_ROLE_DEPUTY);
  school->classteacher_id = make_staff (store, school, "classteacher", "Классова",
                                        ZH_ROLE_CLASS_TEACHER | ZH_ROLE_TEACHER);
  school->teacher_id = make_staff (store, school, "teacher", "Петрова", ZH_ROLE_TEACHER);

  school->class5_id = zh_uuid_new ();
  class5->id = g_strdup (school->class5_id);
  class5->year_id = g_strdup (school->year_id);
  class5->grade = 5;
  class5->letter = g_strdup ("А");
  class5->class_teacher_id = g_strdup (school->classteacher_id);
  put (store, school, &zh_class_info, class5);

  school->class1_id = zh_uuid_new ();
  class1->id = g_strdup (school->class1_id);
  class1->year_id = g_strdup (school->year_id);
  class1->grade = 1;
  class1->letter = g_strdup ("А");
  put (store, school, &zh_class_info, class1);

  make_students (store, school, school->class5_id, school->students5);
  make_students (store, school, school->class1_id, school->students1);

  math->id = g_strdup (math_id);
  math->school_id = g_strdup (school->school_id);
  math->name = g_strdup ("Математика");
  math->short_name = g_strdup ("Мат.");
  put (store, school, &zh_subject_info, math);
  russian->id = g_strdup (russian_id);
  russian->school_id = g_strdup (school->school_id);
  russian->name = g_strdup ("Русский язык");
  russian->short_name = g_strdup ("Рус. яз.");
  put (store, school, &zh_subject_info, russian);

  school->math5_id = make_group (store, school, school->class5_id, math_id, school->teacher_id,
                                 school->students5);
  school->russian5_id = make_group (store, school, school->class5_id, russian_id,
                                    school->classteacher_id, school->students5);
  school->math1_id = make_group (store, school, school->class1_id, math_id, school->teacher_id,
                                 school->students1);

  for (guint d = 0; d < n_days; d++)
    {
      char *math5 = make_lesson (store, school, school->math5_id, school->teacher_id, d, 2,
                                 school->students5, TRUE);
      char *russian5 = make_lesson (store, school, school->russian5_id, school->classteacher_id, d, 3,
                                    school->students5, TRUE);
      char *math1 = make_lesson (store, school, school->math1_id, school->teacher_id, d, 1,
                                 school->students1, FALSE);

      if (d == 0)
        {
          school->lesson_today = g_steal_pointer (&math5);
          school->russian_today = g_steal_pointer (&russian5);
          school->lesson1_today = g_steal_pointer (&math1);
        }
      else if (d == 1)
        school->lesson_yesterday = g_steal_pointer (&math5);
      else if (d == 20)
        school->lesson_old = g_steal_pointer (&math5);
      g_free (math5);
      g_free (russian5);
      g_free (math1);
    }

  g_assert_true (zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error));
  g_assert_no_error (error);
}

/* zh_test_school_clear: free the ids of @school. */
void
zh_test_school_clear (ZhTestSchool *school)
{
  char **strings[] = {
    &school->school_id, &school->year_id, &school->admin_id, &school->deputy_id,
    &school->classteacher_id, &school->teacher_id, &school->class5_id, &school->class1_id,
    &school->math5_id, &school->russian5_id, &school->math1_id, &school->lesson_today,
    &school->lesson_old, &school->lesson_yesterday, &school->lesson1_today, &school->russian_today,
    &school->today,
  };

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    g_clear_pointer (strings[i], g_free);
  for (guint i = 0; i < ZH_TEST_SCHOOL_STUDENTS; i++)
    {
      g_clear_pointer (&school->students5[i], g_free);
      g_clear_pointer (&school->students1[i], g_free);
    }
}
