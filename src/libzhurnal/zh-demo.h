/* zh-demo.h: the generated demo school — a whole school with two academic years of journal data.
 *
 * zh_demo_generate fills an empty store with a school that looks and behaves like a real Russian
 * one (DESIGN.md §8): classes 1–11, students with Russian names, staff with roles and the four
 * demo logins, the curriculum, subgroups, plans (КТП), a timetable, and every lesson of the
 * previous (complete) and the current (up to "today") academic year with topics, homework, marks,
 * attendance, period marks, a few substitutions, corrections, late entries and gaps. The result
 * depends only on the options: the same scale, seed and today give byte-identical tables.
 */
#pragma once

#include <glib.h>

#include "zh-store.h"

G_BEGIN_DECLS

#define ZH_DEMO_ERROR (zh_demo_error_quark ())
GQuark zh_demo_error_quark (void);

/* ZhDemoError: why the demo school cannot be generated (store failures keep ZH_STORE_ERROR). */
typedef enum
{
  ZH_DEMO_ERROR_NOT_EMPTY,     /* the store already holds a school */
  ZH_DEMO_ERROR_INVALID_SCALE, /* the scale is not a number in (0, 6] */
  ZH_DEMO_ERROR_INVALID_DATE,  /* "today" is not a date YYYY-MM-DD between 2001 and 2098 */
} ZhDemoError;

/* The number of tables the generator fills: the entity tables, in the order of zh_entities[]. */
#define ZH_DEMO_N_TABLES 18

typedef struct
{
  double      scale;  /* 1: 4 classes a grade (44 classes, ≈1,100 students); 3: 12 a grade; 0.25: 1 */
  guint64     seed;
  const char *today;  /* "YYYY-MM-DD", or NULL for the current local date */
} ZhDemoOptions;

/* Figures of one academic year's journal. */
typedef struct
{
  guint64 lessons;
  guint64 marks;
  guint64 attendance;    /* attendance rows: absences and lateness */
  guint64 absences;      /* attendance rows other than lateness */
  guint64 student_slots; /* students on the lists of the lessons held (the base of the absence share) */
  guint64 period_marks;  /* period, year, exam and final marks */
} ZhDemoYearStats;

typedef struct
{
  guint64         rows[ZH_DEMO_N_TABLES]; /* rows written per table, in the order of zh_entities[] */
  guint64         total;
  guint           n_classes;              /* classes of the current year */
  guint           n_students;             /* students enrolled on "today" */
  guint           n_teachers;
  guint           timetable_clashes;      /* timetable slots where a teacher is booked twice */
  char            today[11];              /* the "today" used, YYYY-MM-DD */
  int             first_year;             /* the previous year starts on 1 September of this year */
  ZhDemoYearStats years[2];               /* [0] the previous (complete) year, [1] the current one */
  double          seconds;
} ZhDemoStats;

/* Called now and then with the share done (0..1) and what is being made (translated). */
typedef void (*ZhDemoProgressFunc) (double      fraction,
                                    const char *stage,
                                    gpointer    user_data);

const char *zh_demo_table_name (guint          table);

gboolean    zh_demo_generate   (ZhStore             *store,
                                const ZhDemoOptions *options,
                                ZhDemoProgressFunc   progress,
                                gpointer             user_data,
                                ZhDemoStats         *stats,
                                GError             **error);

G_END_DECLS
