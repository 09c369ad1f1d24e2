/* zh-demo.c: the generated demo school (zhurnalctl demo-school, zhurnal-server --demo).
 *
 * Everything is made in memory from a seeded generator (xoshiro256**), then written with cached
 * INSERT statements in one transaction, in time order: ids are UUIDv7 whose time part follows the
 * rows' dates and strictly increases, so every table's primary key index only ever appends.
 *
 * The school (one SQL row each, names in data/demo/, compiled in as resources):
 *   - two academic years: the one containing "today" (a year starts on 1 September) and the one
 *     before it; quarters for grades 1–9 and half-years for 10–11 (001 §4.2, 002 §5.1) with the
 *     usual holidays, public holidays and a five-day week;
 *   - 11 grades × 4·scale letters, 22–28 students a class; the previous year's classes move up a
 *     grade (the stay ends with reason "transfer" — «переведён в следующий класс», grade 11 with
 *     "graduation"), a new grade 1 starts; a few students arrive, leave or change class in each year;
 *   - the subjects of a typical ФГОС/ФОП plan with weekly hours; foreign language (2–11),
 *     informatics (7–11) and technology (5–9) split in two subgroups by the class list;
 *   - staff: a director, an administrator, two deputies and teachers: one primary teacher per class
 *     of grades 1–4 who stays with the class for four years, specialists by subject load
 *     (≤ 22 hours a week on average), class teachers who stay with their class;
 *   - a timetable per class (every weekly hour a slot; a teacher is never booked twice in the same
 *     slot when a free order of the day's lessons exists — clashes that remain are counted);
 *   - every lesson up to today with a topic from the group's plan (КТП) and homework, entered on
 *     time mostly, a few days late sometimes, and missing in the last weeks now and then, for
 *     the deputy's review (REQUIREMENTS §6);
 *   - marks by each student's ability, with the work types and weights of the default policy
 *     (none in grade 1, 000 §3.11); absences in streaks of illness and single skips (≈8 %), their
 *     reasons set by the class teacher except in the last week (002 §5.3); period marks from the
 *     weighted average; year, exam (grade 9 only, 000 §7.4) and final marks of the previous year;
 *     a few substitutions and corrections (002 §7).
 */
#define G_LOG_DOMAIN "zh-demo"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "zh-demo.h"
#include "zh-policy.h"
#include "zh-libzhurnal-resources.h"
#include "zh-types.h"

G_DEFINE_QUARK (zh-demo-error-quark, zh_demo_error)

/* ---- Tables, in the order of zh_entities[] ------------------------------------------------ */

enum
{
  T_SCHOOL, T_YEAR, T_PERIOD, T_STAFF, T_CLASS, T_STUDENT, T_ENROLLMENT, T_SUBJECT, T_GROUP,
  T_MEMBER, T_CURRICULUM, T_PLAN, T_SLOT, T_LESSON, T_MARK, T_ATTENDANCE, T_PERIOD_MARK,
  T_CORRECTION,
};

static const char * const table_names[ZH_DEMO_N_TABLES] = {
  "school", "academic_year", "period", "staff", "class", "student", "enrollment", "subject",
  "study_group", "group_member", "curriculum", "plan_item", "timetable_slot", "lesson", "mark",
  "attendance", "period_mark", "correction",
};

static const char * const insert_sql[ZH_DEMO_N_TABLES] = {
  "INSERT INTO school (id, name, full_name, address, director, policy) VALUES (?1, ?2, ?3, ?4, ?5, '{}')",
  "INSERT INTO academic_year (id, school_id, name, starts, ends) VALUES (?1, ?2, ?3, ?4, ?5)",
  "INSERT INTO period (id, year_id, kind, number, starts, ends, grade_from, grade_to) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
  "INSERT INTO staff (id, school_id, last_name, first_name, middle_name, roles, position, login) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
  "INSERT INTO class (id, year_id, grade, letter, class_teacher_id) VALUES (?1, ?2, ?3, ?4, ?5)",
  "INSERT INTO student (id, school_id, last_name, first_name, middle_name, birth_date, gender) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  "INSERT INTO enrollment (id, student_id, class_id, date_from, date_to, reason, end_reason) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  "INSERT INTO subject (id, school_id, name, short_name) VALUES (?1, ?2, ?3, ?4)",
  "INSERT INTO study_group (id, class_id, subject_id, subgroup, teacher_id) VALUES (?1, ?2, ?3, ?4, ?5)",
  "INSERT INTO group_member (id, group_id, student_id, date_from, date_to) VALUES (?1, ?2, ?3, ?4, ?5)",
  "INSERT INTO curriculum (id, class_id, subject_id, hours_per_week, hours_per_year) "
  "VALUES (?1, ?2, ?3, ?4, ?5)",
  "INSERT INTO plan_item (id, group_id, number, topic, hours) VALUES (?1, ?2, ?3, ?4, 1)",
  "INSERT INTO timetable_slot (id, group_id, weekday, number, valid_from, valid_to, room) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  "INSERT INTO lesson (id, group_id, date, number, kind, topic, homework, plan_item_id, teacher_id, "
  "substitute, topic_entered_at, homework_entered_at, entered_by) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
  "INSERT INTO mark (id, lesson_id, student_id, value, work_type, weight, part, state, entered_by, "
  "entered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
  "INSERT INTO attendance (id, lesson_id, student_id, code, entered_by, entered_at) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  "INSERT INTO period_mark (id, student_id, group_id, kind, period_id, value, state, entered_by, "
  "entered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
  "INSERT INTO correction (id, target_kind, target_id, old_value, new_value, reason, document, "
  "authorised_by, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
};

/* zh_demo_table_name: the SQLite table of the generator's table number @table (< ZH_DEMO_N_TABLES). */
const char *
zh_demo_table_name (guint table)
{
  g_return_val_if_fail (table < ZH_DEMO_N_TABLES, NULL);

  return table_names[table];
}

/* ---- The seeded generator: xoshiro256** (Blackman & Vigna), seeded through splitmix64 ------- */

typedef struct
{
  guint64 s[4];
} Rng;

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

static void
rng_seed (Rng     *r,
          guint64  seed)
{
  for (int i = 0; i < 4; i++)
    {
      guint64 z = (seed += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

      z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
      z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
      r->s[i] = z ^ (z >> 31);
    }
}

static inline guint64
rng_next (Rng *r)
{
  guint64 result = rotl (r->s[1] * 5, 7) * 9;
  guint64 t = r->s[1] << 17;

  r->s[2] ^= r->s[0];
  r->s[3] ^= r->s[1];
  r->s[1] ^= r->s[2];
  r->s[0] ^= r->s[3];
  r->s[2] ^= t;
  r->s[3] = rotl (r->s[3], 45);
  return result;
}

/* A double in [0, 1). */
static inline double
rng_unit (Rng *r)
{
  return (double) (rng_next (r) >> 11) * 0x1.0p-53;
}

/* An integer in [0, n). */
static inline int
rng_below (Rng *r,
           int  n)
{
  return (int) (((rng_next (r) >> 32) * (guint64) n) >> 32);
}

/* About normal with mean 0 and deviation 1: a sum of four uniforms, cheap and bounded. */
static inline double
rng_normal (Rng *r)
{
  return (rng_unit (r) + rng_unit (r) + rng_unit (r) + rng_unit (r) - 2.0) * 1.7320508;
}

/* ---- Calendar: days since 1970-01-01; the school's clock is Europe/Moscow (UTC+3) ----------- */

static int
days_from_civil (int y,
                 int m,
                 int d)
{
  int era, yoe, doy, doe;

  y -= m <= 2;
  era = y / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (int  z,
                 int *y,
                 int *m,
                 int *d)
{
  int era, doe, yoe, doy, mp;

  z += 719468;
  era = z / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp + (mp < 10 ? 3 : -9);
  *y = yoe + era * 400 + (*m <= 2);
}

/* ISO weekday, 1 = Monday … 7 = Sunday. */
static inline int
weekday (int day)
{
  return (day + 3) % 7 + 1;
}

static void
format_date (int  day,
             char out[11])
{
  int y, m, d;

  civil_from_days (day, &y, &m, &d);
  out[0] = '0' + y / 1000;
  out[1] = '0' + y / 100 % 10;
  out[2] = '0' + y / 10 % 10;
  out[3] = '0' + y % 10;
  out[4] = '-';
  out[5] = '0' + m / 10;
  out[6] = '0' + m % 10;
  out[7] = '-';
  out[8] = '0' + d / 10;
  out[9] = '0' + d % 10;
  out[10] = '\0';
}

/* dd.mm.yyyy, as documents are dated. */
static void
format_date_ru (int  day,
                char out[11])
{
  int y, m, d;

  civil_from_days (day, &y, &m, &d);
  g_snprintf (out, 11, "%02d.%02d.%04d", d, m, y);
}

/* Seconds since the epoch of @minutes after midnight of @day in Moscow. */
static inline gint64
msk_time (int day,
          int minutes)
{
  return (gint64) day * 86400 + (gint64) minutes * 60 - 3 * 3600;
}

/* Public holidays that fall in term time (4 Nov, 23 Feb, 8 Mar, 1 and 9 May). */
static gboolean
is_public_holiday (int day)
{
  int y, m, d;

  civil_from_days (day, &y, &m, &d);
  return (m == 11 && d == 4) || (m == 2 && d == 23) || (m == 3 && d == 8) ||
         (m == 5 && (d == 1 || d == 9));
}

/* Lesson N of the day starts at 8:30, 45 minutes a lesson and 10 between them. */
static inline int
lesson_start_minutes (int number)
{
  return 8 * 60 + 30 + (number - 1) * 55;
}

/* ---- Resources: name lists and topics ------------------------------------------------------ */

static GPtrArray *
read_lines (const char *name)
{
  g_autofree char *path = g_strconcat ("/io/github/zhurnal/demo/", name, NULL);
  g_autoptr(GBytes) bytes = g_resource_lookup_data (zh_libzhurnal_get_resource (), path,
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *result = g_ptr_array_new_with_free_func (g_free);

  g_assert (bytes != NULL);   /* compiled in: missing only if the build is broken */
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0' && lines[i][0] != '#')
        g_ptr_array_add (result, g_strdup (lines[i]));
    }
  return result;
}

typedef struct
{
  char      *subject;
  int        grade_from;
  int        grade_to;   /* 0: the grades where the subject is taught */
  GPtrArray *topics;
} TopicSection;

static void
topic_section_free (gpointer data)
{
  TopicSection *s = data;

  g_free (s->subject);
  g_ptr_array_unref (s->topics);
  g_free (s);
}

/* ---- The curriculum ------------------------------------------------------------------------ */

typedef enum
{
  F_PRIMARY, F_RUS, F_MATH, F_ENG, F_HIST, F_GEO, F_BIO, F_CHEM, F_PHYS, F_OBZR, F_MUSIC, F_ART,
  F_TECH, F_PE, N_FAMILIES,
} Family;

static const char * const family_position[N_FAMILIES] = {
  "учитель начальных классов", "учитель русского языка и литературы", "учитель математики",
  "учитель английского языка", "учитель истории и обществознания", "учитель географии",
  "учитель биологии", "учитель химии", "учитель физики", "преподаватель-организатор ОБЗР",
  "учитель музыки", "учитель изобразительного искусства", "учитель труда (технологии)",
  "учитель физической культуры",
};

/* How a subject's plan, homework and marks look. */
typedef enum
{
  S_RUS, S_LITREAD, S_LIT, S_ENG, S_MATH, S_PROB, S_WORLD, S_HIST, S_GEO, S_BIO, S_PHYS, S_CHEM,
  S_INF, S_OBZR, S_MUSIC, S_ART, S_TECH, S_PE, S_ORKSE,
} Style;

typedef struct
{
  const char *name;
  const char *short_name;
  Family      family;       /* taught by the class's primary teacher in grades 1–4 unless ENG, MUSIC, PE */
  Style       style;
  int         split_from;   /* grades split in two subgroups; 0: never */
  int         split_to;
  gboolean    pass_fail;    /* зачёт/незачёт instead of 1..5 */
  double      difficulty;   /* added to a student's ability */
  guint8      hours[12];    /* per week, by grade 1..11 */
} SubjectDef;

/* A typical plan of a Russian school on a five-day week (ФОП НОО/ООО/СОО 2023, universal profile). */
static const SubjectDef subjects[] = {
  { "Русский язык", "Рус. яз.", F_RUS, S_RUS, 0, 0, FALSE, -0.15,
    { 0, 5, 5, 5, 5, 5, 6, 4, 3, 3, 2, 2 } },
  { "Литературное чтение", "Лит. чтение", F_RUS, S_LITREAD, 0, 0, FALSE, 0.2,
    { 0, 4, 4, 4, 3 } },
  { "Литература", "Лит-ра", F_RUS, S_LIT, 0, 0, FALSE, 0.05,
    { 0, 0, 0, 0, 0, 3, 3, 2, 2, 3, 3, 3 } },
  { "Иностранный язык (английский)", "Ин. яз.", F_ENG, S_ENG, 2, 11, FALSE, 0.0,
    { 0, 0, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3 } },
  { "Математика", "Матем.", F_MATH, S_MATH, 0, 0, FALSE, -0.1,
    { 0, 4, 4, 4, 4, 5, 5 } },
  { "Алгебра", "Алгебра", F_MATH, S_MATH, 0, 0, FALSE, -0.2,
    { 0, 0, 0, 0, 0, 0, 0, 3, 3, 3 } },
  { "Алгебра и начала математического анализа", "Алг. и нач. ан.", F_MATH, S_MATH, 0, 0, FALSE, -0.25,
    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3 } },
  { "Геометрия", "Геом.", F_MATH, S_MATH, 0, 0, FALSE, -0.25,
    { 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2 } },
  { "Вероятность и статистика", "Вер. и стат.", F_MATH, S_PROB, 0, 0, FALSE, -0.05,
    { 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 } },
  { "Информатика", "Информ.", F_MATH, S_INF, 7, 11, FALSE, 0.05,
    { 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 } },
  { "Окружающий мир", "Окр. мир", F_PRIMARY, S_WORLD, 0, 0, FALSE, 0.2,
    { 0, 2, 2, 2, 2 } },
  { "История", "История", F_HIST, S_HIST, 0, 0, FALSE, 0.0,
    { 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2 } },
  { "Обществознание", "Общ.", F_HIST, S_HIST, 0, 0, FALSE, 0.05,
    { 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2 } },
  { "География", "Геогр.", F_GEO, S_GEO, 0, 0, FALSE, 0.1,
    { 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 1, 1 } },
  { "Биология", "Биол.", F_BIO, S_BIO, 0, 0, FALSE, 0.05,
    { 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 1, 1 } },
  { "Физика", "Физика", F_PHYS, S_PHYS, 0, 0, FALSE, -0.2,
    { 0, 0, 0, 0, 0, 0, 0, 2, 2, 3, 2, 2 } },
  { "Химия", "Химия", F_CHEM, S_CHEM, 0, 0, FALSE, -0.2,
    { 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 1, 1 } },
  { "Основы безопасности и защиты Родины", "ОБЗР", F_OBZR, S_OBZR, 0, 0, FALSE, 0.35,
    { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1 } },
  { "Музыка", "Музыка", F_MUSIC, S_MUSIC, 0, 0, FALSE, 0.5,
    { 0, 1, 1, 1, 1, 1, 1, 1, 1 } },
  { "Изобразительное искусство", "ИЗО", F_ART, S_ART, 0, 0, FALSE, 0.5,
    { 0, 1, 1, 1, 1, 1, 1, 1 } },
  { "Труд (технология)", "Труд", F_TECH, S_TECH, 5, 9, FALSE, 0.45,
    { 0, 1, 1, 1, 1, 2, 2, 2, 1, 1 } },
  { "Физическая культура", "Физ-ра", F_PE, S_PE, 0, 0, FALSE, 0.5,
    { 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 } },
  { "Основы религиозных культур и светской этики", "ОРКСЭ", F_PRIMARY, S_ORKSE, 0, 0, TRUE, 0.0,
    { 0, 0, 0, 0, 1 } },
};
#define N_SUBJECTS G_N_ELEMENTS (subjects)

static gboolean
subject_split (guint subject,
               int   grade)
{
  return subjects[subject].split_from > 0 &&
         grade >= subjects[subject].split_from && grade <= subjects[subject].split_to;
}

/* Who teaches a subject in a grade: the class's primary teacher, or a specialist family. */
static Family
subject_family (guint subject,
                int   grade)
{
  Family f = subjects[subject].family;

  if (grade <= 4 && f != F_ENG && f != F_MUSIC && f != F_PE)
    return F_PRIMARY;
  return f;
}

/* The default work types and their weights (the policy's list, REQUIREMENTS §2, 002 §5.2). */
enum
{
  WT_ANSWER, WT_HOMEWORK, WT_INDEPENDENT, WT_QUIZ, WT_PRACTICAL, WT_LAB, WT_PROJECT, WT_DICTATION,
  WT_ESSAY, WT_EXPOSITION, WT_TEST,
};

/* Their weights come from the policy (zh_policy_lookup_work_type), so the two cannot differ. */
static const struct
{
  const char *code;
} work_types[] = {
  { "answer" }, { "homework" }, { "independent" }, { "quiz" }, { "practical" }, { "lab" },
  { "project" }, { "dictation" }, { "essay" }, { "exposition" }, { "test" },
};

/* Lesson kind codes, indexed by ZhLessonKind (the nicks of zh-types.h). */
static const char * const kind_codes[] = {
  "lesson", "test", "lab", "practical", "excursion", "essay", "exposition", "dictation", "quiz",
};

/* Mark values: 1..5, then pass and fail. */
enum { V_PASS = 6, V_FAIL = 7 };
static const char * const value_codes[] = { "", "1", "2", "3", "4", "5", "pass", "fail" };

static const char * const letters[] = {
  "А", "Б", "В", "Г", "Д", "Е", "Ж", "З", "И", "К", "Л", "М", "Н", "О", "П", "Р", "С", "Т", "У",
  "Ф", "Х", "Ц", "Ч", "Ш", "Э", "Ю", "Я",
};

/* ---- The school in memory ------------------------------------------------------------------ */

typedef char Id[37];

typedef struct
{
  Id          id;
  const char *last_name;
  const char *first_name;
  const char *middle_name;
  gboolean    female;
  int         birth;
  float       ability;    /* the mean of the student's marks */
  float       frailty;    /* how often the student falls ill, about 1 */
  int         ill_until;  /* the last day of the current illness */
  guint8      day_code;   /* today's whole-day absence: 0, ZH_ATTENDANCE_ILL or ZH_ATTENDANCE_VALID */
} Student;

typedef struct
{
  int    student;
  int    cls;
  int    from;
  int    to;          /* G_MAXINT: still in the class */
  guint8 reason;      /* ZhEnrollReason */
  guint8 end_reason;  /* ZhEndReason */
  guint8 subgroup;    /* 1 or 2 in split subjects */
} Stay;

typedef struct
{
  Id          id;
  const char *last_name;
  const char *first_name;
  const char *middle_name;
  ZhRoles     roles;
  const char *position;
  const char *login;
  Family      family;     /* teachers only */
  int         hours;      /* weekly load */
  char        room[24];
  gboolean    teaches_informatics;
} Staff;

typedef struct
{
  Id  id;
  int year;        /* 0 previous, 1 current */
  int grade;
  int letter;
  int teacher;     /* class teacher (staff index) */
  int first_group;
  int n_groups;
  GArray *stays;   /* int indexes into Gen.stays */
} Class;

typedef struct
{
  Id      id;
  guint16 topic;   /* index into the section's topics, or TOPIC_REVISION / TOPIC_FINAL */
  guint8  kind;    /* ZhLessonKind */
  guint8  number;  /* the number of the test, lab … of this kind */
  guint8  part;    /* the n-th lesson on the same topic */
} PlanItem;

#define TOPIC_REVISION 0xFFFF
#define TOPIC_FINAL    0xFFFE

typedef struct
{
  int    student;
  int    from;
  int    to;
  float  vw[4];   /* Σ value × weight of the active marks per period of the year */
  float  w[4];    /* Σ weight */
  guint8 pm[4];   /* the period marks set */
  guint8 ym;      /* the year mark set */
} Member;

typedef struct
{
  Id            id;
  int           cls;
  guint         subject;
  int           subgroup;
  int           teacher;
  int           per_year;
  GArray       *members;  /* Member */
  PlanItem     *plan;
  int           n_plan;
  int           held;
  TopicSection *section;
  int           topic_start;
  int           topic_len;
} Group;

typedef struct
{
  int     group;
  guint8  number;
  guint16 cls;
} Slot;

typedef struct
{
  Id       id;
  int      start_year;
  int      first;        /* 1 September */
  int      last;         /* 31 May */
  Id       period_id[6]; /* 0–3 quarters, 4–5 half-years */
  int      pstart[6];
  int      pend[6];
  gboolean pdone[6];
  gboolean finals_done;
  int      first_class;
  int      n_classes;
  int      first_group;
  int      n_groups;
  GArray  *slots[6];     /* Slot, by weekday 1..5 */
} Year;

typedef struct
{
  ZhStore      *store;
  Rng           rng;
  gint64        last_ms;
  sqlite3_stmt *stmt[ZH_DEMO_N_TABLES];
  ZhDemoStats  *stats;

  ZhDemoProgressFunc progress;
  gpointer      progress_data;
  int           days_total;
  int           days_done;

  int           today;
  gint64        now;           /* 17:00 of today: nothing is entered after it */
  int           n_letters;

  GPtrArray    *surnames;      /* "masc\tfem" or "masc" */
  GPtrArray    *male_names;    /* "name\tpatronymic m\tpatronymic f" */
  GPtrArray    *female_names;
  GPtrArray    *sections;      /* TopicSection */
  GStringChunk *strings;

  Id            school_id;
  Id            subject_id[N_SUBJECTS];
  Year          years[2];
  GArray       *students;      /* Student */
  GArray       *stays;         /* Stay */
  GArray       *classes;       /* Class */
  GArray       *groups;        /* Group */
  GArray       *staff;         /* Staff */
  int           family_first[N_FAMILIES];
  int           family_count[N_FAMILIES];
  int          *assignment;    /* teacher of (grade, letter, subject, subgroup) */
  int           director;
  int           admin;
  int           deputy;
  int           deputy2;
  int           mark_corrections;
  gboolean      period_mark_corrected;

  ZhPolicy     *policy;          /* (unowned) the default policy: weights and rounding */
  double        weights[G_N_ELEMENTS (work_types)];

  char          buf[512];
  char          buf2[256];
} Gen;

#define STUDENT(g, i) (&g_array_index ((g)->students, Student, (i)))
#define STAY(g, i)    (&g_array_index ((g)->stays, Stay, (i)))
#define CLASS(g, i)   (&g_array_index ((g)->classes, Class, (i)))
#define GROUP(g, i)   (&g_array_index ((g)->groups, Group, (i)))
#define STAFF(g, i)   (&g_array_index ((g)->staff, Staff, (i)))
#define ASSIGN(g, grade, letter, subject, subgroup) \
  ((g)->assignment[(((grade) * (g)->n_letters + (letter)) * (int) N_SUBJECTS + (int) (subject)) * 3 + (subgroup)])

/* ---- Ids and rows -------------------------------------------------------------------------- */

/* A UUIDv7 (RFC 9562) whose time is @seconds (the row's date), kept strictly increasing so ids
 * are unique and sorted in insertion order, and whose other bits come from the seeded generator. */
static void
make_id (Gen    *g,
         gint64  seconds,
         Id      out)
{
  static const char hex[] = "0123456789abcdef";
  guint64 ms = (guint64) seconds * 1000;
  guint64 ra = rng_next (&g->rng);
  guint64 rb = rng_next (&g->rng);
  guint8 b[16];
  int o = 0;

  if ((gint64) ms <= g->last_ms)
    ms = g->last_ms + 1;
  g->last_ms = ms;

  for (int i = 0; i < 6; i++)
    b[i] = ms >> (40 - 8 * i);
  b[6] = 0x70 | ((ra >> 8) & 0x0f);
  b[7] = ra & 0xff;
  b[8] = 0x80 | ((rb >> 56) & 0x3f);
  for (int i = 9; i < 16; i++)
    b[i] = rb >> (8 * (15 - i));

  for (int i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        out[o++] = '-';
      out[o++] = hex[b[i] >> 4];
      out[o++] = hex[b[i] & 0x0f];
    }
  out[o] = '\0';
}

static inline void
bind_text (sqlite3_stmt *stmt,
           int           column,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, column);
}

static inline void
bind_id (sqlite3_stmt *stmt,
         int           column,
         const char   *id)
{
  sqlite3_bind_text (stmt, column, id, 36, SQLITE_STATIC);
}

static inline void
bind_time (sqlite3_stmt *stmt,
           int           column,
           gint64        t)
{
  if (t != 0)
    sqlite3_bind_int64 (stmt, column, t);
  else
    sqlite3_bind_null (stmt, column);
}

/* Run the bound INSERT of @table, count the row and clear the statement for the next one. */
static gboolean
insert_row (Gen     *g,
            int      table,
            GError **error)
{
  sqlite3_stmt *stmt = g->stmt[table];
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return zh_store_set_error (g->store, rc, sqlite3_sql (stmt), error);
  g->stats->rows[table]++;
  return TRUE;
}

/* ---- Names --------------------------------------------------------------------------------- */

/* The surname for a man or a woman: «Королёв/Королёва», «Островский/Островская», «Белых». */
static const char *
pick_surname (Gen      *g,
              gboolean  female)
{
  const char *line = g_ptr_array_index (g->surnames, rng_below (&g->rng, g->surnames->len));
  const char *tab = strchr (line, '\t');
  gsize len;

  if (tab != NULL)
    return female ? g_string_chunk_insert_const (g->strings, tab + 1)
                  : g_string_chunk_insert_len (g->strings, line, tab - line);
  if (!female)
    return g_string_chunk_insert_const (g->strings, line);

  len = strlen (line);
  if (g_str_has_suffix (line, "ов") || g_str_has_suffix (line, "ев") ||
      g_str_has_suffix (line, "ёв") || g_str_has_suffix (line, "ин") ||
      g_str_has_suffix (line, "ын"))
    {
      g_snprintf (g->buf2, sizeof g->buf2, "%sа", line);
      return g_string_chunk_insert_const (g->strings, g->buf2);
    }
  if (g_str_has_suffix (line, "ий") || g_str_has_suffix (line, "ой") || g_str_has_suffix (line, "ый"))
    {
      /* Two bytes a Cyrillic letter: drop the last two letters, add «ая». */
      g_snprintf (g->buf2, sizeof g->buf2, "%.*sая", (int) len - 4, line);
      return g_string_chunk_insert_const (g->strings, g->buf2);
    }
  return g_string_chunk_insert_const (g->strings, line);
}

static void
pick_name (Gen          *g,
           gboolean      female,
           const char  **last,
           const char  **first,
           const char  **middle)
{
  g_auto(GStrv) father = NULL;

  *last = pick_surname (g, female);
  if (female)
    *first = g_ptr_array_index (g->female_names, rng_below (&g->rng, g->female_names->len));
  else
    {
      g_auto(GStrv) own = g_strsplit (g_ptr_array_index (g->male_names,
                                                         rng_below (&g->rng, g->male_names->len)),
                                      "\t", 3);
      *first = g_string_chunk_insert_const (g->strings, own[0]);
    }
  father = g_strsplit (g_ptr_array_index (g->male_names, rng_below (&g->rng, g->male_names->len)),
                       "\t", 3);
  g_assert (g_strv_length (father) == 3);
  *middle = g_string_chunk_insert_const (g->strings, father[female ? 2 : 1]);
}

/* A sort key that puts «Ё» after «Е» as a class list does (UTF-8 byte order puts it first). */
static char *
name_key (const Student *s)
{
  g_autofree char *full = g_strconcat (s->last_name, " ", s->first_name, " ", s->middle_name, NULL);
  GString *key = g_string_sized_new (strlen (full) + 4);

  for (const char *p = full; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0x0401)        /* Ё → Е + a tiny step */
        g_string_append (key, "Е\x01");
      else if (c == 0x0451)   /* ё → е + a tiny step */
        g_string_append (key, "е\x01");
      else
        g_string_append_unichar (key, c);
    }
  return g_string_free (key, FALSE);
}

/* ---- The calendar of a year ---------------------------------------------------------------- */

static void
year_init (Year *y,
           int   start_year)
{
  int next = start_year + 1;

  y->start_year = start_year;
  y->first = days_from_civil (start_year, 9, 1);
  y->last = days_from_civil (next, 5, 31);
  /* Quarters: autumn holidays 27.10–04.11, winter 29.12–08.01, spring 23.03–31.03. */
  y->pstart[0] = y->first;
  y->pend[0] = days_from_civil (start_year, 10, 26);
  y->pstart[1] = days_from_civil (start_year, 11, 5);
  y->pend[1] = days_from_civil (start_year, 12, 28);
  y->pstart[2] = days_from_civil (next, 1, 9);
  y->pend[2] = days_from_civil (next, 3, 22);
  y->pstart[3] = days_from_civil (next, 4, 1);
  y->pend[3] = y->last;
  /* Half-years: the first ends with the second quarter. */
  y->pstart[4] = y->first;
  y->pend[4] = y->pend[1];
  y->pstart[5] = y->pstart[2];
  y->pend[5] = y->last;
}

/* The quarter (0–3) of a term-time day, or -1 in the holidays. */
static int
year_quarter (const Year *y,
              int         day)
{
  for (int q = 0; q < 4; q++)
    if (day >= y->pstart[q] && day <= y->pend[q])
      return q;
  return -1;
}

static gboolean
is_school_day (const Year *y,
               int         day)
{
  return weekday (day) <= 5 && year_quarter (y, day) >= 0 && !is_public_holiday (day);
}

/* The index into Member.vw/w/pm of a day for a grade: the quarter in 1–9, the half in 10–11. */
static inline int
period_slot (const Year *y,
             int         grade,
             int         day)
{
  int q = year_quarter (y, day);

  return grade <= 9 ? q : q / 2;
}

/* ---- Topics and homework ------------------------------------------------------------------- */

static void
load_topics (Gen *g)
{
  g_autoptr(GPtrArray) lines = read_lines ("topics.txt");
  TopicSection *current = NULL;

  g->sections = g_ptr_array_new_with_free_func (topic_section_free);
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);

      if (line[0] == '[')
        {
          g_autofree char *head = g_strndup (line + 1, strcspn (line + 1, "]"));
          char *space = strrchr (head, ' ');
          int from = 0, to = 0;

          current = g_new0 (TopicSection, 1);
          if (space != NULL && g_ascii_isdigit (space[1]) && sscanf (space + 1, "%d-%d", &from, &to) == 2)
            *space = '\0';
          else
            from = to = 0;
          current->subject = g_strdup (head);
          current->grade_from = from;
          current->grade_to = to;
          current->topics = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (g->sections, current);
        }
      else if (current != NULL)
        g_ptr_array_add (current->topics, g_strdup (line));
    }
}

/* Choose the topics of a group: the section of its subject and grade, then this grade's share of
 * it (a section shared by several grades is read in order through them). */
static void
group_topics (Gen   *g,
              Group *gr,
              int    grade)
{
  const SubjectDef *s = &subjects[gr->subject];
  int from = 0, to = 0, len, band, i;

  gr->section = NULL;
  for (guint k = 0; k < g->sections->len; k++)
    {
      TopicSection *sec = g_ptr_array_index (g->sections, k);

      if (!g_str_equal (sec->subject, s->name))
        continue;
      if (sec->grade_from == 0 || (grade >= sec->grade_from && grade <= sec->grade_to))
        {
          gr->section = sec;
          break;
        }
    }
  g_assert (gr->section != NULL);   /* topics.txt has every subject: a build-time fact */

  from = gr->section->grade_from;
  to = gr->section->grade_to;
  if (from == 0)
    {
      for (int k = 1; k <= 11; k++)
        if (s->hours[k] > 0)
          {
            if (from == 0)
              from = k;
            to = k;
          }
    }
  len = gr->section->topics->len;
  band = to - from + 1;
  i = grade - from;
  gr->topic_start = i * len / band;
  gr->topic_len = MAX (4, len / band);
  gr->topic_len = MIN (gr->topic_len, len);
}

static ZhLessonKind
plan_kind (Style style,
           int   grade,
           int   k)
{
  if (grade == 1)
    return ZH_LESSON_KIND_LESSON;

  switch (style)
    {
    case S_RUS:
      if (k % 10 == 0)
        return grade >= 10 || k % 20 == 0 ? ZH_LESSON_KIND_TEST : ZH_LESSON_KIND_DICTATION;
      if (grade >= 5 && grade <= 9 && k % 30 == 15)
        return ZH_LESSON_KIND_EXPOSITION;
      if (grade >= 10 && k % 15 == 7)
        return ZH_LESSON_KIND_ESSAY;
      break;
    case S_LITREAD:
      if (k % 16 == 0)
        return ZH_LESSON_KIND_QUIZ;
      break;
    case S_LIT:
      if (k % 12 == 0)
        return ZH_LESSON_KIND_ESSAY;
      if (k % 24 == 6)
        return ZH_LESSON_KIND_TEST;
      break;
    case S_ENG:
      if (k % 10 == 0)
        return ZH_LESSON_KIND_TEST;
      if (k % 10 == 5)
        return ZH_LESSON_KIND_QUIZ;
      break;
    case S_MATH:
      if (k % 9 == 0)
        return ZH_LESSON_KIND_TEST;
      break;
    case S_PROB:
      if (k % 12 == 0)
        return ZH_LESSON_KIND_TEST;
      break;
    case S_WORLD:
      if (k % 12 == 0)
        return ZH_LESSON_KIND_QUIZ;
      break;
    case S_HIST:
      if (k % 12 == 0)
        return ZH_LESSON_KIND_TEST;
      if (k % 12 == 6)
        return ZH_LESSON_KIND_QUIZ;
      break;
    case S_GEO:
      if (k % 12 == 0)
        return ZH_LESSON_KIND_TEST;
      if (k % 8 == 4)
        return ZH_LESSON_KIND_PRACTICAL;
      break;
    case S_BIO:
      if (k % 12 == 0)
        return ZH_LESSON_KIND_TEST;
      if (k % 8 == 4)
        return ZH_LESSON_KIND_LAB;
      break;
    case S_PHYS:
      if (k % 10 == 0)
        return ZH_LESSON_KIND_TEST;
      if (k % 6 == 3)
        return ZH_LESSON_KIND_LAB;
      break;
    case S_CHEM:
      if (k % 10 == 0)
        return ZH_LESSON_KIND_TEST;
      if (k % 8 == 4)
        return ZH_LESSON_KIND_PRACTICAL;
      break;
    case S_INF:
      if (k % 12 == 0)
        return ZH_LESSON_KIND_TEST;
      if (k % 4 == 2)
        return ZH_LESSON_KIND_PRACTICAL;
      break;
    case S_OBZR:
      if (k % 10 == 0)
        return ZH_LESSON_KIND_QUIZ;
      break;
    case S_TECH:
      if (grade >= 5 && k % 4 == 0)
        return ZH_LESSON_KIND_PRACTICAL;
      break;
    case S_MUSIC:
    case S_ART:
    case S_PE:
    case S_ORKSE:
    default:
      break;
    }
  return ZH_LESSON_KIND_LESSON;
}

static gboolean
style_has_tests (Style style)
{
  return style == S_RUS || style == S_LIT || style == S_ENG || style == S_MATH || style == S_PROB ||
         style == S_HIST || style == S_GEO || style == S_BIO || style == S_PHYS || style == S_CHEM ||
         style == S_INF;
}

/* The plan (КТП) of a group: one item an hour, tests and works at the subject's rhythm, a final
 * test and revision at the end (000 §3.5.4: its hours equal the curriculum's). */
static void
make_plan (Gen   *g,
           Group *gr,
           int    grade)
{
  Style style = subjects[gr->subject].style;
  int n = gr->per_year;
  guint8 counters[9] = { 0 };
  g_autofree guint8 *parts = NULL;

  group_topics (g, gr, grade);
  parts = g_new0 (guint8, gr->topic_len);
  gr->n_plan = n;
  gr->plan = g_new0 (PlanItem, n);
  for (int k = 1; k <= n; k++)
    {
      PlanItem *it = &gr->plan[k - 1];
      int t = (k - 1) * gr->topic_len / n;

      it->kind = plan_kind (style, grade, k);
      it->topic = t;
      if (n >= 20 && k > n - 2)
        {
          it->kind = ZH_LESSON_KIND_LESSON;
          it->topic = TOPIC_REVISION;
        }
      else if (n >= 20 && k == n - 2 && grade >= 2 && style_has_tests (style))
        {
          it->kind = ZH_LESSON_KIND_TEST;
          it->topic = TOPIC_FINAL;
        }
      if (it->kind != ZH_LESSON_KIND_LESSON)
        it->number = ++counters[it->kind];
      else if (it->topic < TOPIC_FINAL)
        it->part = parts[t]++;
    }
}

static const char *
section_topic (const Group *gr,
               guint16      topic)
{
  guint len = gr->section->topics->len;

  return g_ptr_array_index (gr->section->topics, (gr->topic_start + topic) % len);
}

static gboolean
style_solves_problems (Style style)
{
  return style == S_MATH || style == S_PROB || style == S_PHYS || style == S_CHEM || style == S_INF;
}

/* The topic text of a plan item into @out. */
static void
render_topic (const Group    *gr,
              const PlanItem *it,
              char           *out,
              gsize           size)
{
  Style style = subjects[gr->subject].style;
  const char *topic;

  if (it->topic == TOPIC_REVISION)
    {
      g_strlcpy (out, "Повторение и обобщение изученного за год", size);
      return;
    }
  if (it->topic == TOPIC_FINAL)
    {
      g_strlcpy (out, "Итоговая контрольная работа", size);
      return;
    }
  topic = section_topic (gr, it->topic);
  switch ((ZhLessonKind) it->kind)
    {
    case ZH_LESSON_KIND_TEST:
      g_snprintf (out, size, "Контрольная работа № %d по теме «%s»", it->number, topic);
      break;
    case ZH_LESSON_KIND_DICTATION:
      g_snprintf (out, size, "Контрольный диктант № %d по теме «%s»", it->number, topic);
      break;
    case ZH_LESSON_KIND_EXPOSITION:
      g_snprintf (out, size, "Изложение № %d", it->number);
      break;
    case ZH_LESSON_KIND_ESSAY:
      g_snprintf (out, size, "Сочинение № %d по теме «%s»", it->number, topic);
      break;
    case ZH_LESSON_KIND_LAB:
      g_snprintf (out, size, "Лабораторная работа № %d по теме «%s»", it->number, topic);
      break;
    case ZH_LESSON_KIND_PRACTICAL:
      g_snprintf (out, size, "Практическая работа № %d по теме «%s»", it->number, topic);
      break;
    case ZH_LESSON_KIND_QUIZ:
      g_snprintf (out, size, "Тест по теме «%s»", topic);
      break;
    case ZH_LESSON_KIND_EXCURSION:
    case ZH_LESSON_KIND_LESSON:
    default:
      if (it->part == 0)
        g_strlcpy (out, topic, size);
      else if (it->part == 1)
        g_snprintf (out, size, "%s. %s", topic, style_solves_problems (style) ? "Решение задач" : "Закрепление");
      else if (it->part == 2)
        g_snprintf (out, size, "%s. %s", topic, style_solves_problems (style) ? "Практикум" : "Обобщение");
      else
        g_snprintf (out, size, "%s (урок %d)", topic, it->part + 1);
      break;
    }
}

/* Homework of the k-th lesson (1-based) of a plan of n into @out; "" when none is set. */
static void
render_homework (Gen   *g,
                 Style  style,
                 int    grade,
                 int    k,
                 int    n,
                 char  *out,
                 gsize  size)
{
  int r = rng_below (&g->rng, 100);
  int a = rng_below (&g->rng, 4);
  int p;

  out[0] = '\0';
  if (grade == 1 || r < 4)   /* no homework in grade 1 (000 §3.11); now and then none is set */
    return;
  switch (style)
    {
    case S_RUS:
      if (grade <= 4)
        g_snprintf (out, size, "Упр. %d, с. %d", 3 + k * 2 + a, 4 + k);
      else
        g_snprintf (out, size, "§ %d, упр. %d", 1 + (k - 1) * 60 / n, 5 + k * 4 + a);
      break;
    case S_LITREAD:
      p = 6 + k * 2;
      g_snprintf (out, size, "Выразительное чтение, с. %d–%d", p, p + 2 + a);
      break;
    case S_LIT:
      p = 10 + k * 5;
      g_snprintf (out, size, "Прочитать с. %d–%d, ответить на вопросы", p, p + 8 + a * 3);
      break;
    case S_ENG:
      g_snprintf (out, size, "Упр. %d, с. %d", 1 + rng_below (&g->rng, 8), 6 + k);
      break;
    case S_MATH:
      if (grade <= 4)
        g_snprintf (out, size, "С. %d, № %d, %d", 4 + k, 1 + a, 3 + a + rng_below (&g->rng, 3));
      else if (grade <= 6)
        {
          p = 8 + k * 7 + a;
          g_snprintf (out, size, "П. %d, № %d, %d", 1 + (k - 1) * 40 / n, p, p + 3);
        }
      else
        {
          p = 5 + k * 6 + a;
          g_snprintf (out, size, "§ %d, № %d–%d", 1 + (k - 1) * 25 / n, p, p + 3);
        }
      break;
    case S_PROB:
      g_snprintf (out, size, "§ %d, задачи %d–%d", 1 + (k - 1) * 20 / n, 1 + a, 4 + a);
      break;
    case S_WORLD:
      p = 4 + k * 2;
      g_snprintf (out, size, "С. %d–%d, ответить на вопросы", p, p + 3);
      break;
    case S_HIST:
    case S_GEO:
    case S_BIO:
    case S_CHEM:
    case S_OBZR:
      g_snprintf (out, size, "§ %d, вопросы %d–%d", 1 + (k - 1) * 30 / n, 1 + a, 3 + a + rng_below (&g->rng, 3));
      break;
    case S_PHYS:
      g_snprintf (out, size, "§ %d, упр. %d (%d–%d)", 1 + (k - 1) * 40 / n, 1 + (k - 1) * 40 / n, 1, 2 + a);
      break;
    case S_INF:
      g_snprintf (out, size, "§ %d, задания %d–%d", 1 + (k - 1) * 20 / n, 1 + a, 3 + a);
      break;
    case S_ORKSE:
      p = 6 + k * 3;
      g_snprintf (out, size, "С. %d–%d, подготовить рассказ", p, p + 3);
      break;
    case S_MUSIC:
    case S_ART:
    case S_TECH:
    case S_PE:
    default:
      break;
    }
}

/* ---- Setting up the school ----------------------------------------------------------------- */

static void
progress_stage (Gen        *g,
                double      fraction,
                const char *stage)
{
  if (g->progress != NULL)
    g->progress (fraction, stage, g->progress_data);
}

static gboolean
insert_school (Gen     *g,
               gint64   t,
               GError **error)
{
  sqlite3_stmt *s = g->stmt[T_SCHOOL];
  Staff *director = STAFF (g, g->director);
  g_autofree char *director_name = g_strdup_printf ("%s %s %s", director->last_name,
                                                    director->first_name, director->middle_name);

  make_id (g, t, g->school_id);
  bind_id (s, 1, g->school_id);
  bind_text (s, 2, "МАОУ «Средняя общеобразовательная школа № 17»");
  bind_text (s, 3, "Муниципальное автономное общеобразовательное учреждение "
                   "«Средняя общеобразовательная школа № 17»");
  bind_text (s, 4, "623000, Свердловская область, г. Заречный, ул. Школьная, д. 17");
  bind_text (s, 5, director_name);
  return insert_row (g, T_SCHOOL, error);
}

static gboolean
insert_year (Gen     *g,
             Year    *y,
             gint64   t,
             GError **error)
{
  sqlite3_stmt *s = g->stmt[T_YEAR];
  char name[16], starts[11], ends[11];

  g_snprintf (name, sizeof name, "%d/%d", y->start_year, y->start_year + 1);
  format_date (y->first, starts);
  format_date (y->last, ends);
  make_id (g, t, y->id);
  bind_id (s, 1, y->id);
  bind_id (s, 2, g->school_id);
  bind_text (s, 3, name);
  bind_text (s, 4, starts);
  bind_text (s, 5, ends);
  if (!insert_row (g, T_YEAR, error))
    return FALSE;

  s = g->stmt[T_PERIOD];
  for (int p = 0; p < 6; p++)
    {
      make_id (g, t, y->period_id[p]);
      format_date (y->pstart[p], starts);
      format_date (y->pend[p], ends);
      bind_id (s, 1, y->period_id[p]);
      bind_id (s, 2, y->id);
      bind_text (s, 3, p < 4 ? "quarter" : "half");
      sqlite3_bind_int (s, 4, p < 4 ? p + 1 : p - 3);
      bind_text (s, 5, starts);
      bind_text (s, 6, ends);
      sqlite3_bind_int (s, 7, p < 4 ? 1 : 10);
      sqlite3_bind_int (s, 8, p < 4 ? 9 : 11);
      if (!insert_row (g, T_PERIOD, error))
        return FALSE;
    }
  return TRUE;
}

static int
add_staff (Gen        *g,
           ZhRoles     roles,
           const char *position,
           const char *login,
           Family      family,
           double      female_share)
{
  Staff st = { 0 };

  pick_name (g, rng_unit (&g->rng) < female_share, &st.last_name, &st.first_name, &st.middle_name);
  st.roles = roles;
  st.position = position;
  st.login = login;
  st.family = family;
  g_array_append_val (g->staff, st);
  return g->staff->len - 1;
}

/* A bundle of one class's hours of one teacher family and subgroup, given to one teacher. */
typedef struct
{
  int grade;
  int letter;
  int family;
  int subgroup;
  int hours;
  int order;
} Bundle;

static int
compare_bundles (gconstpointer a,
                 gconstpointer b)
{
  const Bundle *x = a, *y = b;

  if (x->hours != y->hours)
    return y->hours - x->hours;
  return x->order - y->order;
}

/* Staff: director, administrator, deputies, a primary teacher per class of grades 1–4 (who keeps
 * the class for four years) and specialists by load. Bundles go largest first to the least loaded
 * teacher of the family; the two subgroups of a class get different teachers where there are two. */
static void
make_staff (Gen *g)
{
  int L = g->n_letters;
  g_autoptr(GArray) bundles = g_array_new (FALSE, TRUE, sizeof (Bundle));
  int family_hours[N_FAMILIES] = { 0 };

  g->director = add_staff (g, ZH_ROLE_DIRECTOR, "директор", NULL, F_PRIMARY, 0.6);
  g->admin = add_staff (g, ZH_ROLE_ADMIN, "администратор электронного журнала", "admin", F_PRIMARY, 0.5);
  g->deputy = add_staff (g, ZH_ROLE_DEPUTY, "заместитель директора по учебно-воспитательной работе",
                         "deputy", F_PRIMARY, 0.8);
  g->deputy2 = add_staff (g, ZH_ROLE_DEPUTY, "заместитель директора по воспитательной работе",
                          NULL, F_PRIMARY, 0.8);

  g->family_first[F_PRIMARY] = g->staff->len;
  g->family_count[F_PRIMARY] = 4 * L;
  for (int i = 0; i < 4 * L; i++)
    {
      int t = add_staff (g, ZH_ROLE_TEACHER | ZH_ROLE_CLASS_TEACHER, family_position[F_PRIMARY],
                         NULL, F_PRIMARY, 0.97);

      g_snprintf (STAFF (g, t)->room, sizeof STAFF (g, t)->room, "%d", 101 + i);
    }

  for (int grade = 1; grade <= 11; grade++)
    for (int l = 0; l < L; l++)
      for (int f = F_RUS; f < N_FAMILIES; f++)
        for (int sg = 0; sg <= 2; sg++)
          {
            Bundle b = { grade, l, f, sg, 0, bundles->len };

            for (guint s = 0; s < N_SUBJECTS; s++)
              if ((int) subject_family (s, grade) == f && subjects[s].hours[grade] > 0 &&
                  (subject_split (s, grade) ? sg > 0 : sg == 0))
                b.hours += subjects[s].hours[grade];
            if (b.hours > 0)
              {
                g_array_append_val (bundles, b);
                family_hours[f] += b.hours;
              }
          }

  for (int f = F_RUS; f < N_FAMILIES; f++)
    {
      int n = MAX (1, (family_hours[f] + 21) / 22);

      g->family_first[f] = g->staff->len;
      g->family_count[f] = n;
      for (int i = 0; i < n; i++)
        {
          int t = add_staff (g, ZH_ROLE_TEACHER, family_position[f], NULL, f,
                             f == F_PE || f == F_OBZR || f == F_TECH ? 0.5 : 0.85);
          Staff *st = STAFF (g, t);

          if (f == F_PE)
            g_strlcpy (st->room, i % 2 == 0 ? "спортзал" : "малый спортзал", sizeof st->room);
          else if (f == F_TECH)
            g_strlcpy (st->room, i % 2 == 0 ? "мастерская" : "кабинет технологии", sizeof st->room);
          else
            {
              int k = t - g->family_first[F_RUS];   /* 30 rooms a floor from the second */

              g_snprintf (st->room, sizeof st->room, "%d", (2 + k / 30) * 100 + 1 + k % 30);
            }
        }
    }

  g->assignment = g_new (int, (gsize) 12 * L * N_SUBJECTS * 3);
  for (gsize i = 0; i < (gsize) 12 * L * N_SUBJECTS * 3; i++)
    g->assignment[i] = -1;

  g_array_sort (bundles, compare_bundles);
  for (guint i = 0; i < bundles->len; i++)
    {
      Bundle *b = &g_array_index (bundles, Bundle, i);
      int sibling = -1, best = -1;

      if (b->subgroup > 0)
        for (guint s = 0; s < N_SUBJECTS; s++)
          if ((int) subject_family (s, b->grade) == b->family && subject_split (s, b->grade))
            sibling = MAX (sibling, ASSIGN (g, b->grade, b->letter, s, 3 - b->subgroup));
      for (int t = g->family_first[b->family]; t < g->family_first[b->family] + g->family_count[b->family]; t++)
        if ((t != sibling || g->family_count[b->family] == 1) &&
            (best < 0 || STAFF (g, t)->hours < STAFF (g, best)->hours))
          best = t;
      STAFF (g, best)->hours += b->hours;
      for (guint s = 0; s < N_SUBJECTS; s++)
        if ((int) subject_family (s, b->grade) == b->family && subjects[s].hours[b->grade] > 0 &&
            (subject_split (s, b->grade) ? b->subgroup > 0 : b->subgroup == 0))
          {
            ASSIGN (g, b->grade, b->letter, s, b->subgroup) = best;
            if (subjects[s].style == S_INF)
              STAFF (g, best)->teaches_informatics = TRUE;
          }
    }
  for (int t = g->family_first[F_MATH]; t < g->family_first[F_MATH] + g->family_count[F_MATH]; t++)
    if (STAFF (g, t)->teaches_informatics)
      STAFF (g, t)->position = "учитель математики и информатики";

  g->stats->n_teachers = g->staff->len - g->family_first[F_PRIMARY];
}

/* The primary teacher of a class of grades 1–4: one for each class from grade 1 to 4. */
static int
primary_teacher (Gen *g,
                 int  start_year,
                 int  grade,
                 int  letter)
{
  int slot = ((start_year - grade) % 4 + 4) % 4;

  return g->family_first[F_PRIMARY] + slot * g->n_letters + letter;
}

/* Class teachers of grades 5–11 keep their class from grade 5 to 11: chosen for the current year
 * among the teachers with most hours in the class, and found again for the previous year through
 * the class's year of entry (modulo 7: the teacher of last year's 11th class now has the 5th). */
static void
choose_class_teachers (Gen *g,
                       int *ct)   /* [7 × letters] */
{
  int L = g->n_letters;
  int cur = g->years[1].start_year;
  g_autofree gboolean *taken = g_new0 (gboolean, g->staff->len);

  for (int grade = 5; grade <= 11; grade++)
    for (int l = 0; l < L; l++)
      {
        g_autofree int *hours = g_new0 (int, g->staff->len);
        int best = -1;

        for (guint s = 0; s < N_SUBJECTS; s++)
          for (int sg = 0; sg <= 2; sg++)
            {
              int t = ASSIGN (g, grade, l, s, sg);

              if (t >= 0)
                hours[t] += subjects[s].hours[grade];
            }
        for (guint t = g->family_first[F_RUS]; t < g->staff->len; t++)
          if (!taken[t] && (best < 0 || hours[t] > hours[best]))
            best = t;
        g_assert (best >= 0);
        taken[best] = TRUE;
        STAFF (g, best)->roles |= ZH_ROLE_CLASS_TEACHER;
        ct[(((cur - grade) % 7 + 7) % 7) * L + l] = best;
      }
}

static gboolean
insert_staff (Gen     *g,
              gint64   t,
              GError **error)
{
  sqlite3_stmt *s = g->stmt[T_STAFF];

  for (guint i = 0; i < g->staff->len; i++)
    {
      Staff *st = STAFF (g, i);

      make_id (g, t, st->id);
      bind_id (s, 1, st->id);
      bind_id (s, 2, g->school_id);
      bind_text (s, 3, st->last_name);
      bind_text (s, 4, st->first_name);
      bind_text (s, 5, st->middle_name);
      sqlite3_bind_int (s, 6, st->roles);
      bind_text (s, 7, st->position);
      bind_text (s, 8, st->login);
      if (!insert_row (g, T_STAFF, error))
        return FALSE;
    }
  return TRUE;
}

static int
new_student (Gen *g,
             int  start_year,
             int  grade)
{
  Student st = { 0 };
  int from = days_from_civil (start_year - 7 - grade, 9, 1);
  int to = days_from_civil (start_year - 6 - grade, 8, 31);

  st.female = rng_below (&g->rng, 2) == 0;
  pick_name (g, st.female, &st.last_name, &st.first_name, &st.middle_name);
  st.birth = from + rng_below (&g->rng, to - from + 1);
  st.ability = CLAMP (3.95 + 0.55 * rng_normal (&g->rng), 2.6, 4.95);
  st.frailty = 0.3 + 1.4 * rng_unit (&g->rng);
  st.ill_until = -1;
  g_array_append_val (g->students, st);
  return g->students->len - 1;
}

static int
add_stay (Gen *g,
          int  student,
          int  cls,
          int  from,
          int  to,
          int  reason,
          int  end_reason)
{
  Stay stay = { student, cls, from, to, reason, end_reason, 0 };
  int index = g->stays->len;

  g_array_append_val (g->stays, stay);
  g_array_append_val (CLASS (g, cls)->stays, index);
  return index;
}

static int
class_index (Gen *g,
             int  year,
             int  grade,
             int  letter)
{
  return g->years[year].first_class + (grade - 1) * g->n_letters + letter;
}

/* A random school day of @y within [from, to], or -1 when there is none. */
static int
random_school_day (Gen  *g,
                   Year *y,
                   int   from,
                   int   to)
{
  if (to < from)
    return -1;
  for (int tries = 0; tries < 50; tries++)
    {
      int d = from + rng_below (&g->rng, to - from + 1);

      if (is_school_day (y, d))
        return d;
    }
  return -1;
}

/* A stay of @year that runs the whole time so far (no movement yet), chosen at random. */
static int
random_plain_stay (Gen  *g,
                   int   year,
                   int   first_stay)
{
  Year *y = &g->years[year];

  for (int tries = 0; tries < 200; tries++)
    {
      int i = first_stay + rng_below (&g->rng, g->stays->len - first_stay);
      Stay *st = STAY (g, i);

      if (CLASS (g, st->cls)->year == year && st->from == y->first &&
          (st->to == G_MAXINT || st->to == y->last))
        return i;
    }
  return -1;
}

/* Students leave, arrive and change class during a year: ≈1.2 % each way over a whole year, at
 * least one of each, a few transfers between parallel classes. */
static void
make_movements (Gen *g,
                int  year,
                int  first_stay)
{
  Year *y = &g->years[year];
  int from = y->first + 14;
  int to = MIN (y->last - 21, g->today - 1);
  int n = g->stays->len - first_stay;
  double share;
  int departures, arrivals, transfers;

  if (to - from < 7)
    return;
  share = (double) (to - from) / (y->last - 21 - from);
  departures = MAX (1, (int) lround (0.012 * n * share));
  arrivals = MAX (1, (int) lround (0.012 * n * share));
  transfers = g->n_letters >= 2 ? MAX (1, (int) lround (0.003 * n * share)) : 0;

  for (int i = 0; i < departures; i++)
    {
      int s = random_plain_stay (g, year, first_stay);
      int d = random_school_day (g, y, from, to);

      if (s < 0 || d < 0)
        continue;
      STAY (g, s)->to = d - 1;
      STAY (g, s)->end_reason = ZH_END_REASON_DEPARTURE;
    }
  for (int i = 0; i < transfers; i++)
    {
      int s = random_plain_stay (g, year, first_stay);
      int d = random_school_day (g, y, from, to);
      Class *c;
      int other, end;

      if (s < 0 || d < 0)
        continue;
      c = CLASS (g, STAY (g, s)->cls);
      other = (c->letter + 1 + rng_below (&g->rng, g->n_letters - 1)) % g->n_letters;
      end = STAY (g, s)->to;
      STAY (g, s)->to = d - 1;
      STAY (g, s)->end_reason = ZH_END_REASON_TRANSFER;
      add_stay (g, STAY (g, s)->student, class_index (g, year, c->grade, other), d, end,
                ZH_ENROLL_REASON_TRANSFER,
                end == G_MAXINT ? ZH_END_REASON_NONE :
                c->grade == 11 ? ZH_END_REASON_GRADUATION : ZH_END_REASON_TRANSFER);
    }
  for (int i = 0; i < arrivals; i++)
    {
      int grade = 1 + rng_below (&g->rng, 11);
      int cls = class_index (g, year, grade, rng_below (&g->rng, g->n_letters));
      int d = random_school_day (g, y, from, to);
      gboolean open = year == 1;

      if (d < 0)
        continue;
      add_stay (g, new_student (g, y->start_year, grade), cls, d, open ? G_MAXINT : y->last,
                ZH_ENROLL_REASON_ARRIVAL,
                open ? ZH_END_REASON_NONE :
                grade == 11 ? ZH_END_REASON_GRADUATION : ZH_END_REASON_TRANSFER);
    }
}

typedef struct
{
  Gen       *g;
  GPtrArray *keys;   /* name_key of each student */
} SortContext;

static int
compare_stays_by_name (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  SortContext *ctx = user_data;
  int x = STAY (ctx->g, *(const int *) a)->student;
  int y = STAY (ctx->g, *(const int *) b)->student;
  int c = strcmp (g_ptr_array_index (ctx->keys, x), g_ptr_array_index (ctx->keys, y));

  return c != 0 ? c : x - y;
}

/* The classes and students of both years: last year's classes move up, a new grade 1 starts. */
static void
make_classes_and_students (Gen *g,
                           int *ct)
{
  int L = g->n_letters;

  for (int year = 0; year < 2; year++)
    {
      Year *y = &g->years[year];
      int first_stay = g->stays->len;
      SortContext sort;

      y->first_class = g->classes->len;
      y->n_classes = 11 * L;
      for (int grade = 1; grade <= 11; grade++)
        for (int l = 0; l < L; l++)
          {
            Class c = { { 0 } };

            c.year = year;
            c.grade = grade;
            c.letter = l;
            c.teacher = grade <= 4 ? primary_teacher (g, y->start_year, grade, l)
                                   : ct[(((y->start_year - grade) % 7 + 7) % 7) * L + l];
            c.stays = g_array_new (FALSE, FALSE, sizeof (int));
            g_array_append_val (g->classes, c);
          }

      for (int grade = 1; grade <= 11; grade++)
        for (int l = 0; l < L; l++)
          {
            int cls = class_index (g, year, grade, l);
            int end = year == 1 ? G_MAXINT : y->last;
            int end_reason = year == 1 ? ZH_END_REASON_NONE :
                             grade == 11 ? ZH_END_REASON_GRADUATION : ZH_END_REASON_TRANSFER;

            if (year == 0 || grade == 1)
              {
                int n = 22 + rng_below (&g->rng, 7);

                for (int i = 0; i < n; i++)
                  add_stay (g, new_student (g, y->start_year, grade), cls, y->first, end,
                            ZH_ENROLL_REASON_START, end_reason);
              }
            else
              {
                Class *prev = CLASS (g, class_index (g, 0, grade - 1, l));

                for (guint i = 0; i < prev->stays->len; i++)
                  {
                    Stay *st = STAY (g, g_array_index (prev->stays, int, i));

                    if (st->to == g->years[0].last)
                      add_stay (g, st->student, cls, y->first, end, ZH_ENROLL_REASON_TRANSFER, end_reason);
                  }
              }
          }

      /* The class list at the start of the year is alphabetical; subgroups split it in two. */
      sort.g = g;
      sort.keys = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < g->students->len; i++)
        g_ptr_array_add (sort.keys, name_key (STUDENT (g, i)));
      for (int c = y->first_class; c < y->first_class + y->n_classes; c++)
        {
          GArray *stays = CLASS (g, c)->stays;

          g_array_sort_with_data (stays, compare_stays_by_name, &sort);
          for (guint i = 0; i < stays->len; i++)
            STAY (g, g_array_index (stays, int, i))->subgroup = i < (stays->len + 1) / 2 ? 1 : 2;
        }
      g_clear_pointer (&sort.keys, g_ptr_array_unref);

      make_movements (g, year, first_stay);
      /* Newcomers join the smaller subgroup. */
      for (int c = y->first_class; c < y->first_class + y->n_classes; c++)
        {
          GArray *stays = CLASS (g, c)->stays;

          for (guint i = 0; i < stays->len; i++)
            {
              Stay *st = STAY (g, g_array_index (stays, int, i));
              int count[3] = { 0 };

              if (st->subgroup != 0)
                continue;
              for (guint j = 0; j < stays->len; j++)
                {
                  Stay *other = STAY (g, g_array_index (stays, int, j));

                  if (other->subgroup != 0 && other->from <= st->from && other->to >= st->from)
                    count[other->subgroup]++;
                }
              st->subgroup = count[1] < count[2] ? 1 : 2;
            }
        }
    }
}

static gboolean
insert_classes_and_students (Gen     *g,
                             gint64   t,
                             GError **error)
{
  sqlite3_stmt *s = g->stmt[T_STUDENT];
  char date[11], date2[11];

  for (guint i = 0; i < g->students->len; i++)
    {
      Student *st = STUDENT (g, i);

      make_id (g, t, st->id);
      format_date (st->birth, date);
      bind_id (s, 1, st->id);
      bind_id (s, 2, g->school_id);
      bind_text (s, 3, st->last_name);
      bind_text (s, 4, st->first_name);
      bind_text (s, 5, st->middle_name);
      bind_text (s, 6, date);
      bind_text (s, 7, st->female ? "female" : "male");
      if (!insert_row (g, T_STUDENT, error))
        return FALSE;
    }

  s = g->stmt[T_CLASS];
  for (guint i = 0; i < g->classes->len; i++)
    {
      Class *c = CLASS (g, i);

      make_id (g, t, c->id);
      bind_id (s, 1, c->id);
      bind_id (s, 2, g->years[c->year].id);
      sqlite3_bind_int (s, 3, c->grade);
      bind_text (s, 4, letters[c->letter]);
      bind_id (s, 5, STAFF (g, c->teacher)->id);
      if (!insert_row (g, T_CLASS, error))
        return FALSE;
    }

  s = g->stmt[T_ENROLLMENT];
  for (guint i = 0; i < g->stays->len; i++)
    {
      static const char * const reasons[] = { "start", "arrival", "transfer" };
      static const char * const end_reasons[] = { NULL, "departure", "transfer", "graduation" };
      Stay *st = STAY (g, i);
      Id id;

      make_id (g, t, id);
      format_date (st->from, date);
      if (st->to != G_MAXINT)
        format_date (st->to, date2);
      bind_id (s, 1, id);
      bind_id (s, 2, STUDENT (g, st->student)->id);
      bind_id (s, 3, CLASS (g, st->cls)->id);
      bind_text (s, 4, date);
      bind_text (s, 5, st->to == G_MAXINT ? NULL : date2);
      bind_text (s, 6, reasons[st->reason]);
      bind_text (s, 7, end_reasons[st->end_reason]);
      if (!insert_row (g, T_ENROLLMENT, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
insert_subjects (Gen     *g,
                 gint64   t,
                 GError **error)
{
  sqlite3_stmt *s = g->stmt[T_SUBJECT];

  for (guint i = 0; i < N_SUBJECTS; i++)
    {
      make_id (g, t, g->subject_id[i]);
      bind_id (s, 1, g->subject_id[i]);
      bind_id (s, 2, g->school_id);
      bind_text (s, 3, subjects[i].name);
      bind_text (s, 4, subjects[i].short_name);
      if (!insert_row (g, T_SUBJECT, error))
        return FALSE;
    }
  return TRUE;
}

/* Groups of a year with their members, curriculum rows and plans. */
static gboolean
make_groups (Gen     *g,
             int      year,
             gint64   t,
             GError **error)
{
  Year *y = &g->years[year];
  char date[11], date2[11];

  y->first_group = g->groups->len;
  for (int c = y->first_class; c < y->first_class + y->n_classes; c++)
    {
      Class *cl = CLASS (g, c);
      int grade = cl->grade;
      int weeks = grade == 1 ? 33 : 34;

      cl->first_group = g->groups->len;
      for (guint s = 0; s < N_SUBJECTS; s++)
        {
          int hours = subjects[s].hours[grade];
          gboolean split = subject_split (s, grade);
          sqlite3_stmt *stmt;
          Id id;

          if (hours == 0)
            continue;

          stmt = g->stmt[T_CURRICULUM];
          make_id (g, t, id);
          bind_id (stmt, 1, id);
          bind_id (stmt, 2, cl->id);
          bind_id (stmt, 3, g->subject_id[s]);
          sqlite3_bind_double (stmt, 4, hours);
          sqlite3_bind_int (stmt, 5, hours * weeks);
          if (!insert_row (g, T_CURRICULUM, error))
            return FALSE;

          for (int sg = split ? 1 : 0; sg <= (split ? 2 : 0); sg++)
            {
              Group gr = { { 0 } };

              gr.cls = c;
              gr.subject = s;
              gr.subgroup = sg;
              gr.teacher = subject_family (s, grade) == F_PRIMARY ? cl->teacher
                                                                  : ASSIGN (g, grade, cl->letter, s, sg);
              gr.per_year = hours * weeks;
              gr.members = g_array_new (FALSE, TRUE, sizeof (Member));
              g_assert (gr.teacher >= 0);
              make_id (g, t, gr.id);

              stmt = g->stmt[T_GROUP];
              bind_id (stmt, 1, gr.id);
              bind_id (stmt, 2, cl->id);
              bind_id (stmt, 3, g->subject_id[s]);
              sqlite3_bind_int (stmt, 4, sg);
              bind_id (stmt, 5, STAFF (g, gr.teacher)->id);
              if (!insert_row (g, T_GROUP, error))
                return FALSE;

              stmt = g->stmt[T_MEMBER];
              for (guint i = 0; i < cl->stays->len; i++)
                {
                  Stay *st = STAY (g, g_array_index (cl->stays, int, i));
                  Member m = { st->student, st->from, st->to };

                  if (sg != 0 && st->subgroup != sg)
                    continue;
                  g_array_append_val (gr.members, m);
                  make_id (g, t, id);
                  format_date (st->from, date);
                  if (st->to != G_MAXINT)
                    format_date (st->to, date2);
                  bind_id (stmt, 1, id);
                  bind_id (stmt, 2, gr.id);
                  bind_id (stmt, 3, STUDENT (g, st->student)->id);
                  bind_text (stmt, 4, date);
                  bind_text (stmt, 5, st->to == G_MAXINT ? NULL : date2);
                  if (!insert_row (g, T_MEMBER, error))
                    return FALSE;
                }

              make_plan (g, &gr, grade);
              stmt = g->stmt[T_PLAN];
              for (int k = 0; k < gr.n_plan; k++)
                {
                  make_id (g, t, gr.plan[k].id);
                  render_topic (&gr, &gr.plan[k], g->buf, sizeof g->buf);
                  bind_id (stmt, 1, gr.plan[k].id);
                  bind_id (stmt, 2, gr.id);
                  sqlite3_bind_int (stmt, 3, k + 1);
                  bind_text (stmt, 4, g->buf);
                  if (!insert_row (g, T_PLAN, error))
                    return FALSE;
                }
              g_array_append_val (g->groups, gr);
            }
        }
      cl->n_groups = g->groups->len - cl->first_group;
    }
  y->n_groups = g->groups->len - y->first_group;
  return TRUE;
}

/* ---- The timetable ------------------------------------------------------------------------- */

typedef struct
{
  int groups[2];
  int n_groups;
  guint subject;
} Unit;

static int
compare_slots (gconstpointer a,
               gconstpointer b)
{
  const Slot *x = a, *y = b;

  if (x->number != y->number)
    return x->number - y->number;
  if (x->cls != y->cls)
    return x->cls - y->cls;
  return x->group - y->group;
}

/* Each class gets every weekly hour of each subject on a different day where it can, the days
 * balanced; then each day's lessons are ordered so no teacher is booked twice at the same lesson
 * number when some order allows it (a greedy pass; the clashes left are counted). */
static gboolean
make_timetable (Gen     *g,
                int      year,
                gint64   t,
                GError **error)
{
  Year *y = &g->years[year];
  g_autofree guint16 *busy = g_new0 (guint16, g->staff->len * 6);
  sqlite3_stmt *stmt = g->stmt[T_SLOT];
  char from[11], to[11];

  format_date (y->first, from);
  format_date (y->last, to);
  for (int wd = 1; wd <= 5; wd++)
    y->slots[wd] = g_array_new (FALSE, FALSE, sizeof (Slot));

  for (int c = y->first_class; c < y->first_class + y->n_classes; c++)
    {
      Class *cl = CLASS (g, c);
      GArray *days[6] = { NULL };
      int offset = rng_below (&g->rng, 5);
      guint order[N_SUBJECTS];
      guint n_order = 0;

      for (int wd = 1; wd <= 5; wd++)
        days[wd] = g_array_new (FALSE, FALSE, sizeof (Unit));

      /* Subjects with most hours first, so they spread over the week. */
      for (guint s = 0; s < N_SUBJECTS; s++)
        if (subjects[s].hours[cl->grade] > 0)
          order[n_order++] = s;
      for (guint i = 1; i < n_order; i++)
        for (guint j = i; j > 0 && subjects[order[j]].hours[cl->grade] > subjects[order[j - 1]].hours[cl->grade]; j--)
          {
            guint tmp = order[j];

            order[j] = order[j - 1];
            order[j - 1] = tmp;
          }

      for (guint i = 0; i < n_order; i++)
        {
          guint s = order[i];
          Unit u = { { -1, -1 }, 0, s };

          for (int k = 0; k < cl->n_groups; k++)
            if (GROUP (g, cl->first_group + k)->subject == s)
              u.groups[u.n_groups++] = cl->first_group + k;
          for (int h = 0; h < subjects[s].hours[cl->grade]; h++)
            {
              int best = -1, best_cost = G_MAXINT;

              for (int k = 0; k < 5; k++)
                {
                  int wd = 1 + (k + offset) % 5;
                  int cost = days[wd]->len * 10;

                  for (guint j = 0; j < days[wd]->len; j++)
                    if (g_array_index (days[wd], Unit, j).subject == s)
                      cost += 100;
                  if (cost < best_cost)
                    {
                      best = wd;
                      best_cost = cost;
                    }
                }
              g_array_append_val (days[best], u);
            }
        }

      for (int wd = 1; wd <= 5; wd++)
        {
          GArray *units = days[wd];
          int n = units->len;
          Unit best[16];
          int best_clashes = G_MAXINT;

          g_assert (n <= 16);
          /* A few random orders of the day; the first without clashes, or the one with fewest. */
          for (int attempt = 0; attempt < 24 && best_clashes > 0; attempt++)
            {
              Unit pool[16], day_order[16];
              int left = n, clashes = 0;

              memcpy (pool, units->data, n * sizeof (Unit));
              for (int i = n - 1; i > 0; i--)
                {
                  int j = rng_below (&g->rng, i + 1);
                  Unit tmp = pool[i];

                  pool[i] = pool[j];
                  pool[j] = tmp;
                }
              for (int number = 1; number <= n; number++)
                {
                  guint16 bit = 1 << number;
                  int pick = -1;

                  for (int j = 0; j < left && pick < 0; j++)
                    {
                      gboolean available = TRUE;

                      for (int k = 0; k < pool[j].n_groups; k++)
                        if (busy[GROUP (g, pool[j].groups[k])->teacher * 6 + wd] & bit)
                          available = FALSE;
                      if (available)
                        pick = j;
                    }
                  if (pick < 0)
                    {
                      pick = 0;
                      clashes++;
                    }
                  day_order[number - 1] = pool[pick];
                  memmove (&pool[pick], &pool[pick + 1], (left - pick - 1) * sizeof (Unit));
                  left--;
                }
              if (clashes < best_clashes)
                {
                  best_clashes = clashes;
                  memcpy (best, day_order, n * sizeof (Unit));
                }
            }
          if (n > 0)
            g->stats->timetable_clashes += best_clashes;

          for (int number = 1; number <= n; number++)
            {
              guint16 bit = 1 << number;
              Unit u = best[number - 1];

              for (int k = 0; k < u.n_groups; k++)
                {
                  Group *gr = GROUP (g, u.groups[k]);
                  Slot slot = { u.groups[k], number, c };
                  Id id;

                  busy[gr->teacher * 6 + wd] |= bit;
                  g_array_append_val (y->slots[wd], slot);
                  make_id (g, t, id);
                  bind_id (stmt, 1, id);
                  bind_id (stmt, 2, gr->id);
                  sqlite3_bind_int (stmt, 3, wd);
                  sqlite3_bind_int (stmt, 4, number);
                  bind_text (stmt, 5, from);
                  bind_text (stmt, 6, to);
                  bind_text (stmt, 7, STAFF (g, gr->teacher)->room);
                  if (!insert_row (g, T_SLOT, error))
                    {
                      for (int d = 1; d <= 5; d++)
                        g_array_unref (days[d]);
                      return FALSE;
                    }
                }
            }
        }
      for (int wd = 1; wd <= 5; wd++)
        g_array_unref (days[wd]);
    }

  for (int wd = 1; wd <= 5; wd++)
    g_array_sort (y->slots[wd], compare_slots);
  return TRUE;
}

/* ---- Marks, attendance, lessons ------------------------------------------------------------ */

/* The suggested period mark from a weighted average with the default thresholds 4.5 / 3.5 / 2.5
 * (DESIGN §5, REQUIREMENTS §5). */
static int
suggest_period_mark (Gen    *g,
                     double  average)
{
  return atoi (zh_policy_suggest_period_mark (g->policy, average));
}

static gboolean
insert_mark (Gen         *g,
             const Id     lesson_id,
             const Id     student_id,
             int          value,
             int          work_type,
             int          part,
             const char  *state,
             int          entered_by,
             gint64       at,
             Id           out_id,
             GError     **error)
{
  sqlite3_stmt *s = g->stmt[T_MARK];

  make_id (g, at, out_id);
  bind_id (s, 1, out_id);
  bind_id (s, 2, lesson_id);
  bind_id (s, 3, student_id);
  bind_text (s, 4, value_codes[value]);
  bind_text (s, 5, work_types[work_type].code);
  sqlite3_bind_double (s, 6, g->weights[work_type]);
  sqlite3_bind_int (s, 7, part);
  bind_text (s, 8, state);
  bind_id (s, 9, STAFF (g, entered_by)->id);
  sqlite3_bind_int64 (s, 10, at);
  return insert_row (g, T_MARK, error);
}

static gboolean
insert_correction (Gen         *g,
                   const char  *target_kind,
                   const Id     target,
                   int          old_value,
                   int          new_value,
                   const char  *reason,
                   int          day,
                   gint64       at,
                   GError     **error)
{
  sqlite3_stmt *s = g->stmt[T_CORRECTION];
  char date[11], document[64];
  Id id;

  format_date_ru (day, date);
  g_snprintf (document, sizeof document, "Приказ № %d от %s", 40 + (int) g->stats->rows[T_CORRECTION] * 7, date);
  make_id (g, at, id);
  bind_id (s, 1, id);
  bind_text (s, 2, target_kind);
  bind_id (s, 3, target);
  bind_text (s, 4, value_codes[old_value]);
  bind_text (s, 5, value_codes[new_value]);
  bind_text (s, 6, reason);
  bind_text (s, 7, document);
  bind_id (s, 8, STAFF (g, g->deputy)->id);
  sqlite3_bind_int64 (s, 9, at);
  return insert_row (g, T_CORRECTION, error);
}

static int
draw_value (Gen              *g,
            const Student    *st,
            const SubjectDef *subject,
            double            shift)
{
  double x;
  int v;

  if (subject->pass_fail)
    return rng_unit (&g->rng) < 0.97 ? V_PASS : V_FAIL;
  x = st->ability + subject->difficulty + shift + 0.75 * rng_normal (&g->rng);
  v = (int) lround (x);
  v = CLAMP (v, 2, 5);
  if (v == 2 && rng_unit (&g->rng) < 0.01)
    v = 1;
  return v;
}

static int
lesson_work_type (Gen   *g,
                  Style  style)
{
  int r = rng_below (&g->rng, 100);

  if ((style == S_TECH || style == S_INF) && r < 4)
    return WT_PROJECT;
  if (r < 55)
    return WT_ANSWER;
  if (r < 76)
    return WT_HOMEWORK;
  if (r < 94)
    return WT_INDEPENDENT;
  return WT_QUIZ;
}

/* The marks of one present student in one lesson. */
static gboolean
lesson_marks (Gen          *g,
              Year         *y,
              Group        *gr,
              Member       *m,
              int           grade,
              ZhLessonKind  kind,
              const Id      lesson_id,
              int           teacher,
              int           day,
              gint64        lesson_end,
              GError      **error)
{
  const SubjectDef *subject = &subjects[gr->subject];
  Student *st = STUDENT (g, m->student);
  int slot = period_slot (y, grade, day);
  double p, shift = 0;
  int n = 1, wt;
  gint64 at;

  switch (kind)
    {
    case ZH_LESSON_KIND_TEST:
      p = 0.96, wt = WT_TEST, shift = -0.2;
      break;
    case ZH_LESSON_KIND_DICTATION:
      p = 0.96, wt = WT_DICTATION, shift = -0.25;
      break;
    case ZH_LESSON_KIND_EXPOSITION:
      p = 0.95, wt = WT_EXPOSITION, shift = -0.1;
      break;
    case ZH_LESSON_KIND_ESSAY:
      p = 0.95, wt = WT_ESSAY, n = 2, shift = -0.1;   /* content and literacy (002 §5.2) */
      break;
    case ZH_LESSON_KIND_LAB:
      p = 0.75, wt = WT_LAB;
      break;
    case ZH_LESSON_KIND_PRACTICAL:
      p = 0.75, wt = WT_PRACTICAL;
      break;
    case ZH_LESSON_KIND_QUIZ:
      p = 0.9, wt = WT_QUIZ;
      break;
    case ZH_LESSON_KIND_EXCURSION:
    case ZH_LESSON_KIND_LESSON:
    default:
      p = subject->pass_fail ? 0.15 : subject->style == S_PE || subject->style == S_MUSIC ||
          subject->style == S_ART ? 0.24 : 0.34;
      wt = -1;
      break;
    }
  if (rng_unit (&g->rng) >= p)
    return TRUE;
  if (wt < 0)
    wt = lesson_work_type (g, subject->style);

  /* Mostly entered on the day; sometimes days later, now and then after the 7-day deadline. */
  if (rng_unit (&g->rng) < 0.93)
    at = lesson_end + 60 * rng_below (&g->rng, 300);
  else
    at = msk_time (day + 1 + rng_below (&g->rng, 10), 18 * 60 + rng_below (&g->rng, 240));
  if (at > g->now)
    return TRUE;   /* not entered yet */

  for (int part = n == 2 ? 1 : 0; part <= (n == 2 ? 2 : 0); part++)
    {
      int value = draw_value (g, st, subject, shift);
      Id mark_id;

      /* Two marks of last year are corrected by the deputy (002 §7): the corrected mark stays,
       * marked 'corrected', and a new one replaces it. */
      if (y == &g->years[0] && g->mark_corrections < 2 && value == 2 && grade >= 5 && part == 0 &&
          day >= (g->mark_corrections == 0 ? days_from_civil (y->start_year, 11, 10)
                                           : days_from_civil (y->start_year + 1, 3, 2)))
        {
          static const char * const reasons[] = { "teacher_request", "appeal_upheld" };
          int new_value = g->mark_corrections == 0 ? 4 : 3;
          gint64 when = msk_time (day + 4, 12 * 60);

          if (!insert_mark (g, lesson_id, st->id, value, wt, part, "corrected", teacher, at, mark_id, error))
            return FALSE;
          if (!insert_correction (g, "mark", mark_id, value, new_value, reasons[g->mark_corrections],
                                  day + 4, when, error))
            return FALSE;
          value = new_value;
          if (!insert_mark (g, lesson_id, st->id, value, wt, part, "active", g->deputy, when, mark_id, error))
            return FALSE;
          g->mark_corrections++;
        }
      else if (!insert_mark (g, lesson_id, st->id, value, wt, part, "active", teacher, at, mark_id, error))
        return FALSE;

      g->stats->years[y == &g->years[1]].marks++;
      if (slot >= 0)
        {
          double w = g->weights[wt];

          m->vw[slot] += (value == V_PASS ? 1 : value == V_FAIL ? 0 : value) * w;
          m->w[slot] += w;
        }
    }
  return TRUE;
}

static gboolean
insert_attendance (Gen         *g,
                   const Id     lesson_id,
                   const Id     student_id,
                   const char  *code,
                   int          entered_by,
                   gint64       at,
                   GError     **error)
{
  sqlite3_stmt *s = g->stmt[T_ATTENDANCE];
  Id id;

  make_id (g, at, id);
  bind_id (s, 1, id);
  bind_id (s, 2, lesson_id);
  bind_id (s, 3, student_id);
  bind_text (s, 4, code);
  bind_id (s, 5, STAFF (g, entered_by)->id);
  sqlite3_bind_int64 (s, 6, at);
  return insert_row (g, T_ATTENDANCE, error);
}

/* Whole-day absences of the day: illness in streaks of 3–10 calendar days, more in winter, and
 * now and then a day away for a good reason. */
static void
update_students (Gen  *g,
                 Year *y,
                 int   day)
{
  int yy, mm, dd;
  double season;

  civil_from_days (day, &yy, &mm, &dd);
  season = mm == 12 || mm == 1 || mm == 2 ? 1.45 : mm == 9 || mm == 5 ? 0.6 : 1.0;
  for (int c = y->first_class; c < y->first_class + y->n_classes; c++)
    {
      GArray *stays = CLASS (g, c)->stays;

      for (guint i = 0; i < stays->len; i++)
        {
          Stay *stay = STAY (g, g_array_index (stays, int, i));
          Student *st = STUDENT (g, stay->student);
          double r;

          if (day < stay->from || day > stay->to)
            continue;
          if (st->ill_until >= day)
            {
              st->day_code = ZH_ATTENDANCE_ILL;
              continue;
            }
          r = rng_unit (&g->rng);
          if (r < 0.0165 * season * st->frailty)
            {
              st->ill_until = day + 2 + rng_below (&g->rng, 8);
              st->day_code = ZH_ATTENDANCE_ILL;
            }
          else if (r < 0.0165 * season * st->frailty + 0.006)
            st->day_code = ZH_ATTENDANCE_VALID;
          else
            st->day_code = 0;
        }
    }
}

static gboolean
hold_lesson (Gen     *g,
             Year    *y,
             int      year,
             Slot    *slot,
             int      day,
             char    *date,
             GError **error)
{
  Group *gr = GROUP (g, slot->group);
  Class *cl = CLASS (g, gr->cls);
  const SubjectDef *subject = &subjects[gr->subject];
  sqlite3_stmt *s = g->stmt[T_LESSON];
  int grade = cl->grade;
  int k = gr->held++;
  PlanItem *it = k < gr->n_plan ? &gr->plan[k] : NULL;
  ZhLessonKind kind = it != NULL ? it->kind : ZH_LESSON_KIND_LESSON;
  int teacher = gr->teacher;
  gboolean substitute = FALSE;
  int start = lesson_start_minutes (slot->number);
  gint64 lesson_end = msk_time (day, start + 45);
  gint64 topic_at, homework_at;
  gboolean reasons_known = day <= g->today - 7;
  int friday = day + (5 - weekday (day));
  double r;
  Id lesson_id;

  /* A few substitutions: another teacher of the same subjects takes the lesson (001 §5.3). */
  if (rng_unit (&g->rng) < 0.002)
    {
      Family f = subject_family (gr->subject, grade);
      int n = g->family_count[f];

      if (n > 1)
        {
          teacher = g->family_first[f] + (teacher - g->family_first[f] + 1 + rng_below (&g->rng, n - 1)) % n;
          substitute = TRUE;
        }
    }

  if (it != NULL)
    render_topic (gr, it, g->buf, sizeof g->buf);
  else
    g_strlcpy (g->buf, "Повторение изученного", sizeof g->buf);
  render_homework (g, subject->style, grade, k + 1, gr->n_plan, g->buf2, sizeof g->buf2);

  /* On time mostly (by 17:00, homework with it: 000 §3.5.2, §4.2.2), a few days late now and
   * then, and in the last three weeks a few lessons not filled in at all (REQUIREMENTS §6). */
  r = rng_unit (&g->rng);
  if (day >= g->today - 21 && r < 0.025)
    topic_at = 0;
  else if (r < 0.04)
    topic_at = msk_time (day + 1 + rng_below (&g->rng, 6), 19 * 60 + rng_below (&g->rng, 180));
  else
    topic_at = lesson_end + 60 * rng_below (&g->rng, 150);
  if (topic_at > g->now)
    topic_at = 0;
  if (topic_at == 0)
    {
      g->buf[0] = '\0';
      g->buf2[0] = '\0';
    }
  homework_at = g->buf2[0] != '\0' ? topic_at + 60 * rng_below (&g->rng, 5) : 0;
  if (homework_at > g->now)
    homework_at = g->now;

  make_id (g, msk_time (day, start), lesson_id);
  bind_id (s, 1, lesson_id);
  bind_id (s, 2, gr->id);
  bind_text (s, 3, date);
  sqlite3_bind_int (s, 4, slot->number);
  bind_text (s, 5, kind_codes[kind]);
  bind_text (s, 6, g->buf);
  bind_text (s, 7, g->buf2);
  if (it != NULL && topic_at != 0)
    bind_id (s, 8, it->id);
  else
    sqlite3_bind_null (s, 8);
  bind_id (s, 9, STAFF (g, teacher)->id);
  sqlite3_bind_int (s, 10, substitute);
  bind_time (s, 11, topic_at);
  bind_time (s, 12, homework_at);
  if (topic_at != 0)
    bind_id (s, 13, STAFF (g, teacher)->id);
  else
    sqlite3_bind_null (s, 13);
  if (!insert_row (g, T_LESSON, error))
    return FALSE;
  g->stats->years[year].lessons++;

  for (guint i = 0; i < gr->members->len; i++)
    {
      Member *m = &g_array_index (gr->members, Member, i);
      Student *st = STUDENT (g, m->student);
      int code = st->day_code;

      if (day < m->from || day > m->to)
        continue;
      g->stats->years[year].student_slots++;

      if (code == 0)
        {
          double skip = grade >= 9 ? 0.011 : grade >= 5 ? 0.007 : 0.002;
          double late = slot->number == 1 ? 0.012 : 0.002;

          r = rng_unit (&g->rng);
          if (r < skip)
            code = rng_unit (&g->rng) < 0.65 ? ZH_ATTENDANCE_INVALID : ZH_ATTENDANCE_VALID;
          else if (r < skip + late)
            code = ZH_ATTENDANCE_LATE;
        }

      if (code != 0)
        {
          static const char * const codes[] = { "absent", "ill", "valid", "invalid", "late" };
          gboolean reasoned = code != ZH_ATTENDANCE_LATE && reasons_known;
          gint64 at;
          int by;

          /* Marked absent in the lesson; the class teacher sets the reason at the end of the
           * week (002 §5.3, 000 §4.3.3); the last week's reasons are not set yet. */
          if (reasoned)
            {
              at = msk_time (friday, 15 * 60 + rng_below (&g->rng, 180));
              by = cl->teacher;
            }
          else
            {
              at = msk_time (day, start + 5 + rng_below (&g->rng, 30));
              by = teacher;
            }
          if (at > g->now)
            at = g->now;
          if (!insert_attendance (g, lesson_id, st->id,
                                  code == ZH_ATTENDANCE_LATE ? "late" :
                                  reasoned ? codes[code] : "absent",
                                  by, at, error))
            return FALSE;
          g->stats->years[year].attendance++;
          if (code != ZH_ATTENDANCE_LATE)
            {
              g->stats->years[year].absences++;
              continue;   /* an absent student gets no mark */
            }
        }

      if (grade >= 2 &&
          !lesson_marks (g, y, gr, m, grade, kind, lesson_id, teacher, day, lesson_end, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- Period, year, exam and final marks ---------------------------------------------------- */

static gboolean
insert_period_mark (Gen         *g,
                    int          year,
                    const Id     student_id,
                    const Group *gr,
                    const char  *kind,
                    const char  *period_id,
                    int          value,
                    const char  *state,
                    int          entered_by,
                    gint64       at,
                    Id           out_id,
                    GError     **error)
{
  sqlite3_stmt *s = g->stmt[T_PERIOD_MARK];

  make_id (g, at, out_id);
  bind_id (s, 1, out_id);
  bind_id (s, 2, student_id);
  bind_id (s, 3, gr->id);
  bind_text (s, 4, kind);
  if (period_id != NULL)
    bind_id (s, 5, period_id);
  else
    sqlite3_bind_null (s, 5);
  bind_text (s, 6, value_codes[value]);
  bind_text (s, 7, state);
  bind_id (s, 8, STAFF (g, entered_by)->id);
  sqlite3_bind_int64 (s, 9, at);
  g->stats->years[year].period_marks++;
  return insert_row (g, T_PERIOD_MARK, error);
}

/* Period marks of period @p (0–3 quarters, 4–5 halves) of a finished period: the suggestion from
 * the weighted average for every student on the list at its end who has marks, entered within
 * three days after it ends (000 §4.2.4), a few later. */
static gboolean
finish_period (Gen     *g,
               int      year,
               int      p,
               GError **error)
{
  Year *y = &g->years[year];
  int end = y->pend[p];
  int slot = p < 4 ? p : p - 4;

  y->pdone[p] = TRUE;
  for (int i = y->first_group; i < y->first_group + y->n_groups; i++)
    {
      Group *gr = GROUP (g, i);
      int grade = CLASS (g, gr->cls)->grade;

      if (grade == 1 || (p < 4) != (grade <= 9))
        continue;
      for (guint j = 0; j < gr->members->len; j++)
        {
          Member *m = &g_array_index (gr->members, Member, j);
          gboolean pass_fail = subjects[gr->subject].pass_fail;
          int value;
          gint64 at;
          Id id;

          if (m->w[slot] <= 0 || m->to < end || m->from > end)
            continue;
          value = pass_fail ? (m->vw[slot] / m->w[slot] >= 0.5 ? V_PASS : V_FAIL)
                            : suggest_period_mark (g, m->vw[slot] / m->w[slot]);
          if (rng_unit (&g->rng) < 0.96)
            at = msk_time (end + 1 + rng_below (&g->rng, 3), 14 * 60 + rng_below (&g->rng, 300));
          else
            at = msk_time (end + 4 + rng_below (&g->rng, 5), 18 * 60 + rng_below (&g->rng, 200));
          at = MIN (at, g->now);

          /* One period mark of last year's second quarter is raised after a re-attestation. */
          if (year == 0 && p == 1 && !g->period_mark_corrected && grade >= 5 && value == 3)
            {
              gint64 when = msk_time (end + 25, 11 * 60);
              Id new_id;

              if (!insert_period_mark (g, year, STUDENT (g, m->student)->id, gr, "period",
                                       y->period_id[p], value, "corrected", gr->teacher, at, id, error) ||
                  !insert_correction (g, "period_mark", id, value, 4, "reattestation", end + 25, when,
                                      error) ||
                  !insert_period_mark (g, year, STUDENT (g, m->student)->id, gr, "period",
                                       y->period_id[p], 4, "active", g->deputy, when, new_id, error))
                return FALSE;
              m->pm[slot] = 4;
              g->period_mark_corrected = TRUE;
              continue;
            }
          if (!insert_period_mark (g, year, STUDENT (g, m->student)->id, gr, "period",
                                   y->period_id[p], value, "active", gr->teacher, at, id, error))
            return FALSE;
          m->pm[slot] = value;
        }
    }
  return TRUE;
}

static const Member *
find_member (const Group *gr,
             int          student)
{
  for (guint j = 0; j < gr->members->len; j++)
    {
      const Member *m = &g_array_index (gr->members, Member, j);

      if (m->student == student)
        return m;
    }
  return NULL;
}

/* Year marks from the period marks; in grade 9 the state exam (ГИА) in Russian, mathematics and
 * two subjects of the student's choice; final marks (Итог) in grades 9 and 11 (000 §7.4: the
 * exam mark of grade 11 is not put in the journal). */
static gboolean
finish_year (Gen     *g,
             int      year,
             GError **error)
{
  static const char * const electives[] = {
    "Обществознание", "Обществознание", "Обществознание", "Информатика", "Информатика",
    "География", "География", "Биология", "Биология", "Физика", "Химия", "История", "Литература",
    "Иностранный язык (английский)",
  };
  Year *y = &g->years[year];
  int end = y->last;

  y->finals_done = TRUE;
  for (int i = y->first_group; i < y->first_group + y->n_groups; i++)
    {
      Group *gr = GROUP (g, i);
      int grade = CLASS (g, gr->cls)->grade;
      int n_periods = grade <= 9 ? 4 : 2;

      if (grade == 1)
        continue;
      for (guint j = 0; j < gr->members->len; j++)
        {
          Member *m = &g_array_index (gr->members, Member, j);
          int n = 0, sum = 0, value;
          gint64 at;
          Id id;

          if (m->to < end)
            continue;
          for (int p = 0; p < n_periods; p++)
            if (m->pm[p] != 0)
              {
                n++;
                sum += m->pm[p] == V_PASS ? 1 : m->pm[p] == V_FAIL ? 0 : m->pm[p];
              }
          if (n == 0)
            continue;
          if (subjects[gr->subject].pass_fail)
            value = 2 * sum >= n ? V_PASS : V_FAIL;
          else
            value = suggest_period_mark (g, (double) sum / n);
          at = MIN (msk_time (end - 1 + rng_below (&g->rng, 3), 15 * 60 + rng_below (&g->rng, 180)), g->now);
          if (!insert_period_mark (g, year, STUDENT (g, m->student)->id, gr, "year", NULL, value,
                                   "active", gr->teacher, at, id, error))
            return FALSE;
          m->ym = value;
        }
    }

  for (int c = y->first_class; c < y->first_class + y->n_classes; c++)
    {
      Class *cl = CLASS (g, c);

      if (cl->grade != 9 && cl->grade != 11)
        continue;
      for (guint i = 0; i < cl->stays->len; i++)
        {
          Stay *stay = STAY (g, g_array_index (cl->stays, int, i));
          Student *st = STUDENT (g, stay->student);
          const char *chosen[2] = { NULL, NULL };

          if (stay->to < end)
            continue;
          if (cl->grade == 9)
            {
              chosen[0] = electives[rng_below (&g->rng, G_N_ELEMENTS (electives))];
              do
                chosen[1] = electives[rng_below (&g->rng, G_N_ELEMENTS (electives))];
              while (g_str_equal (chosen[0], chosen[1]));
            }
          for (int k = 0; k < cl->n_groups; k++)
            {
              Group *gr = GROUP (g, cl->first_group + k);
              const char *name = subjects[gr->subject].name;
              const Member *m = find_member (gr, stay->student);
              gboolean exam;
              int final;
              gint64 at;
              Id id;

              if (m == NULL || m->ym == 0)
                continue;
              exam = cl->grade == 9 &&
                     (g_str_equal (name, "Русский язык") || g_str_equal (name, "Алгебра") ||
                      g_str_equal (name, "Геометрия") || g_str_equal (name, chosen[0]) ||
                      g_str_equal (name, chosen[1]));
              final = m->ym;
              if (exam)
                {
                  int mark = CLAMP ((int) lround (st->ability - 0.15 + 0.7 * rng_normal (&g->rng)), 2, 5);

                  if (mark == 2 && rng_unit (&g->rng) < 0.7)
                    mark = 3;
                  at = MIN (msk_time (days_from_civil (y->start_year + 1, 6, 18) + rng_below (&g->rng, 7),
                                      12 * 60), g->now);
                  if (!insert_period_mark (g, year, st->id, gr, "exam", NULL, mark, "active",
                                           gr->teacher, at, id, error))
                    return FALSE;
                  final = (m->ym + mark + 1) / 2;   /* the mean, rounded in the student's favour */
                }
              at = MIN (msk_time (days_from_civil (y->start_year + 1, 6, 27), 11 * 60 + rng_below (&g->rng, 240)),
                        g->now);
              if (!insert_period_mark (g, year, st->id, gr, "final", NULL, final, "active",
                                       gr->teacher, at, id, error))
                return FALSE;
            }
        }
    }
  return TRUE;
}

/* Periods (and the year) that ended before @day get their marks once. */
static gboolean
finish_periods_before (Gen     *g,
                       int      day,
                       GError **error)
{
  for (int year = 0; year < 2; year++)
    {
      Year *y = &g->years[year];

      for (int p = 0; p < 6; p++)
        if (!y->pdone[p] && y->pend[p] < day && !finish_period (g, year, p, error))
          return FALSE;
      if (!y->finals_done && y->last < day && y->last < g->today && !finish_year (g, year, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
run_days (Gen     *g,
          GError **error)
{
  const char *stage = _("Lessons, marks and attendance");

  for (int year = 0; year < 2; year++)
    {
      Year *y = &g->years[year];

      for (int day = y->first; day <= MIN (y->last, g->today); day++)
        {
          char date[11];

          if (!finish_periods_before (g, day, error))
            return FALSE;
          if (!is_school_day (y, day))
            continue;
          update_students (g, y, day);
          format_date (day, date);
          for (guint i = 0; i < y->slots[weekday (day)]->len; i++)
            if (!hold_lesson (g, y, year, &g_array_index (y->slots[weekday (day)], Slot, i), day, date, error))
              return FALSE;
          g->days_done++;
          if (g->progress != NULL && g->days_done % 5 == 0)
            progress_stage (g, 0.05 + 0.9 * g->days_done / MAX (1, g->days_total), stage);
        }
    }
  /* Whatever ended before today and was not reached by a later school day. */
  return finish_periods_before (g, g->today, error);
}

/* ---- The whole ----------------------------------------------------------------------------- */

static void
gen_clear (Gen *g)
{
  for (int year = 0; year < 2; year++)
    for (int wd = 1; wd <= 5; wd++)
      g_clear_pointer (&g->years[year].slots[wd], g_array_unref);
  if (g->groups != NULL)
    for (guint i = 0; i < g->groups->len; i++)
      {
        g_array_unref (GROUP (g, i)->members);
        g_free (GROUP (g, i)->plan);
      }
  if (g->classes != NULL)
    for (guint i = 0; i < g->classes->len; i++)
      g_array_unref (CLASS (g, i)->stays);
  g_clear_pointer (&g->groups, g_array_unref);
  g_clear_pointer (&g->classes, g_array_unref);
  g_clear_pointer (&g->students, g_array_unref);
  g_clear_pointer (&g->stays, g_array_unref);
  g_clear_pointer (&g->staff, g_array_unref);
  g_clear_pointer (&g->surnames, g_ptr_array_unref);
  g_clear_pointer (&g->male_names, g_ptr_array_unref);
  g_clear_pointer (&g->female_names, g_ptr_array_unref);
  g_clear_pointer (&g->sections, g_ptr_array_unref);
  g_clear_pointer (&g->strings, g_string_chunk_free);
  g_clear_pointer (&g->assignment, g_free);
}

static gboolean
parse_date (const char *text,
            int        *day)
{
  int y, m, d;
  char tail;

  if (text == NULL || strlen (text) != 10 || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
      text[4] != '-' || text[7] != '-' || !g_date_valid_dmy (d, m, y) || y < 2001 || y > 2098)
    return FALSE;
  *day = days_from_civil (y, m, d);
  return TRUE;
}

static gboolean
generate (Gen                 *g,
          const ZhDemoOptions *options,
          GError             **error)
{
  int L = g->n_letters;
  g_autofree int *ct = g_new0 (int, 7 * L);
  gint64 setup;
  g_autofree char *meta = NULL;
  char scale[G_ASCII_DTOSTR_BUF_SIZE], today[11];

  progress_stage (g, 0.0, _("Staff, classes and students"));
  g->surnames = read_lines ("surnames.txt");
  g->male_names = read_lines ("male-names.txt");
  g->female_names = read_lines ("female-names.txt");
  load_topics (g);
  g->strings = g_string_chunk_new (64 * 1024);
  g->students = g_array_new (FALSE, TRUE, sizeof (Student));
  g->stays = g_array_new (FALSE, TRUE, sizeof (Stay));
  g->classes = g_array_new (FALSE, TRUE, sizeof (Class));
  g->groups = g_array_new (FALSE, TRUE, sizeof (Group));
  g->staff = g_array_new (FALSE, TRUE, sizeof (Staff));

  /* The school is set up in the last week of August before the previous year. */
  setup = msk_time (g->years[0].first - 7, 10 * 60);

  make_staff (g);
  choose_class_teachers (g, ct);
  make_classes_and_students (g, ct);

  /* The demo logins: a class teacher who also teaches (of 7Б where there is one) and a teacher of
   * mathematics with most groups, preferring one who also has subgroups (informatics). */
  {
    Class *c7 = CLASS (g, class_index (g, 1, 7, MIN (1, L - 1)));
    int best = -1, best_score = -1;
    Staff *st;

    STAFF (g, c7->teacher)->login = "classteacher";
    for (int t = g->family_first[F_MATH]; t < g->family_first[F_MATH] + g->family_count[F_MATH]; t++)
      {
        int score = 0;

        if (t == c7->teacher)
          continue;
        for (int grade = 1; grade <= 11; grade++)
          for (int l = 0; l < L; l++)
            for (guint s = 0; s < N_SUBJECTS; s++)
              for (int sg = 0; sg <= 2; sg++)
                if (ASSIGN (g, grade, l, s, sg) == t)
                  score += 1;
        if (STAFF (g, t)->teaches_informatics)
          score += 1000;
        if (score > best_score)
          {
            best = t;
            best_score = score;
          }
      }
    st = STAFF (g, best >= 0 ? best : g->family_first[F_MATH]);
    st->login = "teacher";
  }

  if (!insert_school (g, setup, error) ||
      !insert_year (g, &g->years[0], setup, error) ||
      !insert_year (g, &g->years[1], setup, error) ||
      !insert_staff (g, setup, error) ||
      !insert_subjects (g, setup, error) ||
      !insert_classes_and_students (g, setup, error))
    return FALSE;
  for (int year = 0; year < 2; year++)
    if (!make_groups (g, year, setup, error) || !make_timetable (g, year, setup, error))
      return FALSE;
  progress_stage (g, 0.05, _("Lessons, marks and attendance"));

  for (int year = 0; year < 2; year++)
    for (int day = g->years[year].first; day <= MIN (g->years[year].last, g->today); day++)
      if (is_school_day (&g->years[year], day))
        g->days_total++;
  if (!run_days (g, error))
    return FALSE;

  g_ascii_dtostr (scale, sizeof scale, options->scale);
  format_date (g->today, today);
  meta = g_strdup_printf ("{\"scale\": %s, \"seed\": %" G_GUINT64_FORMAT ", \"today\": \"%s\"}",
                          scale, options->seed, today);
  if (!zh_store_set_meta (g->store, "demo", meta, error))
    return FALSE;

  /* Students on the lists today. */
  for (guint i = 0; i < g->stays->len; i++)
    {
      Stay *st = STAY (g, i);

      if (CLASS (g, st->cls)->year == 1 && st->from <= g->today && st->to >= g->today)
        g->stats->n_students++;
    }
  g->stats->n_classes = g->years[1].n_classes;
  return TRUE;
}

/* zh_demo_generate: fill the empty @store with the demo school made from @options, in one
 * transaction; @progress (may be NULL) hears how far it got. Open the store with
 * ZH_STORE_FLAGS_BULK_LOAD for speed. @stats (may be NULL) receives the row counts. */
gboolean
zh_demo_generate (ZhStore             *store,
                  const ZhDemoOptions *options,
                  ZhDemoProgressFunc   progress,
                  gpointer             user_data,
                  ZhDemoStats         *stats,
                  GError             **error)
{
  g_autoptr(ZhPolicy) policy = zh_policy_new_default ();
  Gen g = { 0 };
  ZhDemoStats local_stats;
  sqlite3_stmt *count;
  gint64 started = g_get_monotonic_time ();
  int today, rc;
  gboolean ok;

  g_return_val_if_fail (ZH_IS_STORE (store), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(options->scale > 0 && options->scale <= 6))
    {
      g_set_error (error, ZH_DEMO_ERROR, ZH_DEMO_ERROR_INVALID_SCALE,
                   _("The scale of the demo school must be a number above 0 and at most 6, not %g."),
                   options->scale);
      return FALSE;
    }
  if (options->today != NULL)
    {
      if (!parse_date (options->today, &today))
        {
          g_set_error (error, ZH_DEMO_ERROR, ZH_DEMO_ERROR_INVALID_DATE,
                       _("“%s” is not a date of the form YYYY-MM-DD between 2001 and 2098."),
                       options->today);
          return FALSE;
        }
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      today = days_from_civil (g_date_time_get_year (now), g_date_time_get_month (now),
                               g_date_time_get_day_of_month (now));
    }

  if (stats == NULL)
    stats = &local_stats;
  memset (stats, 0, sizeof *stats);

  count = zh_store_prepare (store, "SELECT count(*) FROM school", error);
  if (count == NULL)
    return FALSE;
  rc = sqlite3_step (count);
  if (rc != SQLITE_ROW)
    return zh_store_set_error (store, rc, "SELECT count(*) FROM school", error);
  if (sqlite3_column_int (count, 0) > 0)
    {
      sqlite3_reset (count);
      g_set_error (error, ZH_DEMO_ERROR, ZH_DEMO_ERROR_NOT_EMPTY,
                   _("The database “%s” already holds a school; the demo school needs an empty one."),
                   zh_store_get_path (store));
      return FALSE;
    }
  sqlite3_reset (count);

  g.store = store;
  g.stats = stats;
  g.policy = policy;
  for (guint i = 0; i < G_N_ELEMENTS (work_types); i++)
    {
      gboolean known = zh_policy_lookup_work_type (g.policy, work_types[i].code, NULL, NULL, &g.weights[i]);

      g_assert (known);
    }
  g.progress = progress;
  g.progress_data = user_data;
  g.today = today;
  g.now = msk_time (today, 17 * 60);
  g.n_letters = CLAMP ((int) lround (4 * options->scale), 1, (int) G_N_ELEMENTS (letters));
  rng_seed (&g.rng, options->seed);
  {
    int y, m, d;

    civil_from_days (today, &y, &m, &d);
    year_init (&g.years[1], m >= 9 ? y : y - 1);
    year_init (&g.years[0], g.years[1].start_year - 1);
  }
  format_date (today, stats->today);
  stats->first_year = g.years[0].start_year;

  for (int t = 0; t < ZH_DEMO_N_TABLES; t++)
    {
      g.stmt[t] = zh_store_prepare (store, insert_sql[t], error);
      if (g.stmt[t] == NULL)
        return FALSE;
    }

  /* A new database is filled in one transaction: keeping the journal in memory rather than in
   * the write-ahead log writes every page once instead of twice (the log, then the checkpoint);
   * a failure still rolls back, from the memory journal. WAL comes back at the end. */
  if (!zh_store_exec (store, "PRAGMA journal_mode = MEMORY", error))
    return FALSE;
  if (!zh_store_lock (store, error))
    return FALSE;
  ok = generate (&g, options, error);
  gen_clear (&g);
  if (!ok)
    {
      zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
      zh_store_exec (store, "PRAGMA journal_mode = WAL", NULL);
      return FALSE;
    }
  progress_stage (&g, 0.97, _("Writing the database"));
  if (!zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, error))
    return FALSE;
  if (!zh_store_exec (store, "PRAGMA journal_mode = WAL", error))
    return FALSE;
  progress_stage (&g, 1.0, _("Done"));

  for (int t = 0; t < ZH_DEMO_N_TABLES; t++)
    stats->total += stats->rows[t];
  stats->seconds = (g_get_monotonic_time () - started) / 1e6;
  return TRUE;
}
