/* zh-crash-plan.h: the edits of the crash test (test-crash.c drives, zh-crash-client.c makes
 * them): edit k of the plan is the same in both, so the driver knows what the teacher intended
 * and the client can tell, from its own copy, which edits it has made already. */
#pragma once

#include "zh-store.h"
#include "zh-types.h"

G_BEGIN_DECLS

/* Lessons of the test school's teacher used by the plan: math in 5А and 1А, today and the 13 days
 * before (within the edit window). */
#define ZH_CRASH_DAYS 14
#define ZH_CRASH_STUDENTS 6

typedef enum
{
  ZH_CRASH_MARK,      /* a new mark with a unique comment: must exist exactly once */
  ZH_CRASH_ABSENCE,   /* an absence where there was none */
  ZH_CRASH_TOPIC,     /* a lesson's topic; the last one written wins */
} ZhCrashKind;

typedef struct
{
  ZhCrashKind      kind;
  guint            klass;      /* 0: 5А, 1: 1А */
  guint            day;        /* days ago */
  guint            student;    /* index in the class, by last name */
  char             text[32];   /* mark: the value; topic: the topic */
  char             tag[32];    /* mark: its comment */
  ZhAttendanceCode code;       /* absence */
} ZhCrashEdit;

/* The teacher's lessons and students, resolved in a copy or in the service's database. */
typedef struct
{
  char *lessons[2][ZH_CRASH_DAYS];
  char *students[2][ZH_CRASH_STUDENTS];
} ZhCrashSchool;

void   zh_crash_plan_edit     (guint          k,
                               ZhCrashEdit   *edit);
gint64 zh_crash_plan_time     (guint          day,
                               gint64         now);
gboolean zh_crash_school_load (ZhStore       *store,
                               ZhCrashSchool *school);
void   zh_crash_school_clear  (ZhCrashSchool *school);

G_END_DECLS
