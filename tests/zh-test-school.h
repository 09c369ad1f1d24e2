/* zh-test-school.h: a small school written straight into a database, for the sync tests: two
 * classes (5А with marks, 1А without: 000 §3.11), the four demo logins, lessons on the days up to
 * today (on the school's clock), marks and absences. */
#pragma once

#include "zh-store.h"

G_BEGIN_DECLS

#define ZH_TEST_SCHOOL_STUDENTS 6

typedef struct
{
  char *school_id;
  char *year_id;
  char *admin_id;
  char *deputy_id;
  char *classteacher_id;     /* class teacher of 5А; teaches Russian in 5А */
  char *teacher_id;          /* teaches mathematics in 5А and 1А */
  char *class5_id;
  char *class1_id;
  char *math5_id;
  char *russian5_id;
  char *math1_id;
  char *students5[ZH_TEST_SCHOOL_STUDENTS];
  char *students1[ZH_TEST_SCHOOL_STUDENTS];
  char *lesson_today;        /* mathematics 5А today */
  char *lesson_old;          /* mathematics 5А 20 days ago: past the 14-day edit window */
  char *lesson_yesterday;    /* mathematics 5А yesterday */
  char *lesson1_today;       /* mathematics 1А today */
  char *russian_today;       /* Russian 5А today */
  char *today;               /* "YYYY-MM-DD" on the school's clock */
  guint n_rows;              /* rows written */
} ZhTestSchool;

void zh_test_school_fill  (ZhStore      *store,
                           ZhTestSchool *school,
                           guint         n_days);
void zh_test_school_clear (ZhTestSchool *school);
char *zh_test_date_days_ago (guint days);

G_END_DECLS
