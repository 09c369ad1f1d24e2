/* zh-policy.c: the school policy (parsing, defaults, accessors) and the journal's rules. */
#define G_LOG_DOMAIN "zh-policy"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "zh-enums.h"
#include "zh-policy.h"

#define N_GRADES 11
#define N_ATTENDANCE_CODES (ZH_ATTENDANCE_LATE + 1)

/* Averages are sums of products of decimals; compare them to a threshold with this tolerance so
 * that 4.65 computed as 4.6499999999 still reaches 4.65. */
#define AVERAGE_EPSILON 1e-9

/* A text of a dictionary: the school's own (verbatim) or one of ours (translated when shown). */
typedef struct
{
  char       *text;
  const char *context;    /* msgctxt of a default text, or NULL */
  gboolean    translate;  /* a default: show its translation */
} Text;

typedef struct
{
  char  *code;
  Text   title;
  Text   abbr;
  double weight;
} WorkType;

typedef struct
{
  char     *code;
  Text      text;
  gboolean  numeric;
  double    value;
  ZhMarkUse use;
} MarkValue;

typedef struct
{
  double hours;   /* up to this many hours a week … */
  guint  marks;   /* … at least this many marks */
} MinMarksRow;

typedef struct
{
  int          grade_from;
  int          grade_to;
  ZhPeriodKind kind;
} PeriodRule;

/* The settings, in the order zh_policy_to_json writes them; the bit of each marks it as given. */
typedef enum
{
  SETTING_TIMEZONE,
  SETTING_LESSON_STARTS,
  SETTING_LESSON_MINUTES,
  SETTING_RECORD_DEADLINE,
  SETTING_HOMEWORK_DEADLINE_MINUTES,
  SETTING_MARKS_DEADLINE_DAYS,
  SETTING_PERIOD_MARKS_DEADLINE_DAYS,
  SETTING_EDIT_WINDOW_DAYS,
  SETTING_UNDO_SECONDS,
  SETTING_NO_MARKS_GRADES,
  SETTING_NO_MARKS_GRADE2_FIRST_HALF,
  SETTING_ROUNDING,
  SETTING_MIN_MARKS,
  SETTING_MARK_VALUES,
  SETTING_ATTENDANCE_CODES,
  SETTING_WORK_TYPES,
  SETTING_PERIODS,
  SETTING_CORRECTION_ROLES,
  N_SETTINGS
} Setting;

struct _ZhPolicy
{
  guint         given;                  /* 1 << Setting for each member the JSON had */

  char         *timezone_id;
  GTimeZone    *timezone;
  GArray       *lesson_starts;          /* guint minutes after midnight, lesson 1 first */
  guint         lesson_minutes;
  guint         record_deadline;        /* minutes after midnight */
  guint         homework_deadline_minutes;
  guint         marks_deadline_days;
  guint         period_marks_deadline_days;
  guint         edit_window_days;
  guint         undo_seconds;
  gboolean      no_marks[N_GRADES + 1]; /* by grade; [0] unused */
  gboolean      no_marks_grade2_first_half;
  double        rounding[3];            /* the least average for "5", "4", "3" */
  GArray       *min_marks;              /* MinMarksRow, by increasing hours */
  GPtrArray    *mark_values;            /* MarkValue */
  Text          attendance[N_ATTENDANCE_CODES]; /* text NULL: the school does not use the code */
  GPtrArray    *work_types;             /* WorkType */
  GArray       *periods;                /* PeriodRule */
  ZhRoles       correction_roles;
};

G_DEFINE_BOXED_TYPE (ZhPolicy, zh_policy, zh_policy_ref, zh_policy_unref)
G_DEFINE_QUARK (zh-policy-error-quark, zh_policy_error)

/* The defaults (REQUIREMENTS.md §3). */

static const char * const default_lesson_starts[] = {
  "08:30", "09:25", "10:30", "11:35", "12:35", "13:30", "14:25", "15:20", "16:15", "17:10",
};

static const struct
{
  const char *code;
  const char *title;
  const char *abbr;
  double      weight;
} default_work_types[] = {
  /* Forms of control and their weights (002 §5.2). */
  { "answer", NC_("work type", "Answer in class"),
    NC_("work type abbreviation", "Ans"), 1.0 },
  { "homework", NC_("work type", "Homework"),
    NC_("work type abbreviation", "HW"), 1.0 },
  { "independent", NC_("work type", "Independent work"),
    NC_("work type abbreviation", "Ind"), 1.5 },
  { "quiz", NC_("work type", "Quiz"),
    NC_("work type abbreviation", "Quiz"), 1.5 },
  { "practical", NC_("work type", "Practical work"),
    NC_("work type abbreviation", "Pract"), 1.5 },
  { "lab", NC_("work type", "Laboratory work"),
    NC_("work type abbreviation", "Lab"), 1.5 },
  { "project", NC_("work type", "Project"),
    NC_("work type abbreviation", "Proj"), 1.5 },
  { "dictation", NC_("work type", "Dictation"),
    NC_("work type abbreviation", "Dict"), 2.0 },
  { "essay", NC_("work type", "Essay"),
    NC_("work type abbreviation", "Ess"), 2.0 },
  { "exposition", NC_("work type", "Exposition"),
    NC_("work type abbreviation", "Expo"), 2.0 },
  { "test", NC_("work type", "Test"),
    NC_("work type abbreviation", "Test"), 2.0 },
};

static const struct
{
  const char *code;
  const char *text;
  const char *context;
  double      value;     /* 0: not numeric */
} default_mark_values[] = {
  { "5",    "5",                      NULL,   5 },
  { "4",    "4",                      NULL,   4 },
  { "3",    "3",                      NULL,   3 },
  { "2",    "2",                      NULL,   2 },
  { "1",    "1",                      NULL,   1 },
  { "pass", NC_("mark", "pass"),      "mark", 0 }, /* зачёт */
  { "fail", NC_("mark", "fail"),      "mark", 0 }, /* незачёт */
};

static const char * const default_attendance_texts[N_ATTENDANCE_CODES] = {
  [ZH_ATTENDANCE_ABSENT]  = NC_("attendance code", "A"),  /* н */
  [ZH_ATTENDANCE_ILL]     = NC_("attendance code", "S"),  /* б */
  [ZH_ATTENDANCE_VALID]   = NC_("attendance code", "E"),  /* у */
  [ZH_ATTENDANCE_INVALID] = NC_("attendance code", "U"),  /* п */
  [ZH_ATTENDANCE_LATE]    = NC_("attendance code", "L"),  /* оп */
};

/* 000 §7.2 fixes three marks at one hour a week and "more" above it; our reading adds one mark
 * for each further weekly hour. A school puts its own table in `min_marks`. */
static const MinMarksRow default_min_marks[] = {
  { 1, 3 }, { 2, 4 }, { 3, 5 }, { 4, 6 }, { 5, 7 },
};

/* Values that are not marks and may never be recorded as one, however a school spells them
 * (compared after lower-casing, ё → е and dropping a final dot). */
static const char * const exempt_spellings[] = {
  "exempt", "освобожден", "освобождена", "освоб", "осв",
};
static const char * const not_assessed_spellings[] = {
  "not_assessed", "н/а", "на", "н\\а", "n/a",
};

static const char *
enum_nick (GType type,
           int   value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);

  g_type_class_unref (klass);
  g_assert (v != NULL);
  return v->value_nick;
}

static gboolean
enum_value (GType       type,
            const char *nick,
            int        *value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value_by_nick (klass, nick);

  g_type_class_unref (klass);
  if (v == NULL)
    return FALSE;
  *value = v->value;
  return TRUE;
}

static const char *
text_get (const Text *t)
{
  if (t->text == NULL || !t->translate)
    return t->text;
  if (t->context != NULL)
    return g_dpgettext2 (GETTEXT_PACKAGE, t->context, t->text);
  return g_dgettext (GETTEXT_PACKAGE, t->text);
}

static void
text_set (Text       *t,
          const char *text,
          const char *context,
          gboolean    translate)
{
  g_free (t->text);
  t->text = g_strdup (text);
  t->context = context;
  t->translate = translate;
}

static void
work_type_free (gpointer data)
{
  WorkType *w = data;

  g_free (w->code);
  g_free (w->title.text);
  g_free (w->abbr.text);
  g_free (w);
}

static void
mark_value_free (gpointer data)
{
  MarkValue *m = data;

  g_free (m->code);
  g_free (m->text.text);
  g_free (m);
}

static void
policy_clear (gpointer data)
{
  ZhPolicy *self = data;

  g_free (self->timezone_id);
  g_clear_pointer (&self->timezone, g_time_zone_unref);
  g_clear_pointer (&self->lesson_starts, g_array_unref);
  g_clear_pointer (&self->min_marks, g_array_unref);
  g_clear_pointer (&self->mark_values, g_ptr_array_unref);
  for (guint i = 0; i < N_ATTENDANCE_CODES; i++)
    g_free (self->attendance[i].text);
  g_clear_pointer (&self->work_types, g_ptr_array_unref);
  g_clear_pointer (&self->periods, g_array_unref);
}

static guint
parse_clock (const char *s)
{
  /* "HH:MM" → minutes after midnight, or G_MAXUINT. */
  if (s == NULL || strlen (s) != 5 || s[2] != ':'
      || !g_ascii_isdigit (s[0]) || !g_ascii_isdigit (s[1])
      || !g_ascii_isdigit (s[3]) || !g_ascii_isdigit (s[4]))
    return G_MAXUINT;

  guint h = (s[0] - '0') * 10 + (s[1] - '0');
  guint m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59)
    return G_MAXUINT;
  return h * 60 + m;
}

static char *
format_clock (guint minutes)
{
  return g_strdup_printf ("%02u:%02u", minutes / 60, minutes % 60);
}

/* parse_date: "YYYY-MM-DD" (the model's date form) into @date; FALSE when it is not a real date. */
static gboolean
parse_date (const char *s,
            GDate      *date)
{
  int y, m, d;
  char tail;

  g_date_clear (date, 1);
  if (s == NULL || strlen (s) != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;
  if (sscanf (s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    return FALSE;
  if (y < 1 || m < 1 || m > 12 || d < 1 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_set_dmy (date, d, m, y);
  return TRUE;
}

/* The school's own date form, «01.09.2025», for messages. */
static char *
format_date (const GDate *date)
{
  return g_strdup_printf ("%02u.%02u.%04u", g_date_get_day (date), g_date_get_month (date),
                          g_date_get_year (date));
}

static GTimeZone *
load_default_timezone (void)
{
  GTimeZone *tz = g_time_zone_new_identifier ("Europe/Moscow");

  /* Without the tz database (a bare container) Moscow time is still known: UTC+3, no daylight
   * saving since 2014. */
  if (tz == NULL)
    tz = g_time_zone_new_identifier ("+03:00");
  return tz;
}

static void
fill_defaults (ZhPolicy *self)
{
  self->timezone_id = g_strdup ("Europe/Moscow");
  self->timezone = load_default_timezone ();

  self->lesson_starts = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < G_N_ELEMENTS (default_lesson_starts); i++)
    {
      guint m = parse_clock (default_lesson_starts[i]);
      g_array_append_val (self->lesson_starts, m);
    }
  self->lesson_minutes = 45;
  self->record_deadline = 17 * 60;         /* 000 §3.5.2 */
  self->homework_deadline_minutes = 60;    /* 000 §4.2.2 */
  self->marks_deadline_days = 7;           /* 000 §4.2.3, 001 §5.6 */
  self->period_marks_deadline_days = 3;    /* 000 §4.2.4, §7.3 */
  self->edit_window_days = 14;             /* 004 §3.6 */
  self->undo_seconds = 600;
  self->no_marks[1] = TRUE;                /* 000 §3.11 */
  self->no_marks_grade2_first_half = FALSE; /* 004 §3.9 turns it on */
  self->rounding[0] = 4.5;
  self->rounding[1] = 3.5;
  self->rounding[2] = 2.5;

  self->min_marks = g_array_new (FALSE, FALSE, sizeof (MinMarksRow));
  g_array_append_vals (self->min_marks, default_min_marks, G_N_ELEMENTS (default_min_marks));

  self->mark_values = g_ptr_array_new_with_free_func (mark_value_free);
  for (guint i = 0; i < G_N_ELEMENTS (default_mark_values); i++)
    {
      MarkValue *m = g_new0 (MarkValue, 1);

      m->code = g_strdup (default_mark_values[i].code);
      text_set (&m->text, default_mark_values[i].text, default_mark_values[i].context,
                default_mark_values[i].context != NULL);
      m->numeric = default_mark_values[i].value > 0;
      m->value = default_mark_values[i].value;
      m->use = ZH_MARK_USE_CURRENT | ZH_MARK_USE_PERIOD;
      g_ptr_array_add (self->mark_values, m);
    }

  for (guint i = 0; i < N_ATTENDANCE_CODES; i++)
    text_set (&self->attendance[i], default_attendance_texts[i], "attendance code", TRUE);

  self->work_types = g_ptr_array_new_with_free_func (work_type_free);
  for (guint i = 0; i < G_N_ELEMENTS (default_work_types); i++)
    {
      WorkType *w = g_new0 (WorkType, 1);

      w->code = g_strdup (default_work_types[i].code);
      text_set (&w->title, default_work_types[i].title, "work type", TRUE);
      text_set (&w->abbr, default_work_types[i].abbr, "work type abbreviation", TRUE);
      w->weight = default_work_types[i].weight;
      g_ptr_array_add (self->work_types, w);
    }

  /* Quarters in grades 1–9, half-years in 10–11 (001 §4.2, 002 §5.1). */
  self->periods = g_array_new (FALSE, FALSE, sizeof (PeriodRule));
  PeriodRule quarters = { 1, 9, ZH_PERIOD_KIND_QUARTER };
  PeriodRule halves = { 10, 11, ZH_PERIOD_KIND_HALF };
  g_array_append_val (self->periods, quarters);
  g_array_append_val (self->periods, halves);

  /* 002 §7: corrections are made by "those responsible for organising the learning process". In
   * the regulations these are the deputy director for learning (002 §5.6; REQUIREMENTS §1: the
   * deputy authorises corrections) and the journal's administrator, who has the same rights
   * (000 §5.4) and closes the journal for changes (004 §4.1.11). The director approves and
   * controls but does not keep the journal (000 §5.1–5.2, 004 §4.2): not by default. */
  self->correction_roles = ZH_ROLE_DEPUTY | ZH_ROLE_ADMIN;
}

static ZhPolicy *
policy_alloc (void)
{
  ZhPolicy *self = g_atomic_rc_box_new0 (ZhPolicy);

  fill_defaults (self);
  return self;
}

/**
 * zh_policy_new_default:
 *
 * Makes the policy of REQUIREMENTS.md §3, the one `school.policy` "{}" stands for.
 *
 * Returns: (transfer full): a new policy
 */
ZhPolicy *
zh_policy_new_default (void)
{
  return policy_alloc ();
}

/**
 * zh_policy_ref:
 *
 * Takes a reference on @self.
 *
 * Returns: (transfer full): @self
 */
ZhPolicy *
zh_policy_ref (ZhPolicy *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

/* zh_policy_unref: drops a reference on @self, freeing it with the last one. */
void
zh_policy_unref (ZhPolicy *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, policy_clear);
}

/* Parsing: strict, member by member. Each failure names the member by its path, e.g.
 * "work_types[2].weight". */

static gboolean
fail_type (const char  *path,
           const char  *what,
           GError     **error)
{
  /* @what is one of the translated kinds below. */
  g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_WRONG_TYPE,
               _("School policy setting “%s” must be %s"), path, what);
  return FALSE;
}

static gboolean
fail_value (GError    **error,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail_value (GError    **error,
            const char *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_INVALID_VALUE, message);
  return FALSE;
}

static gboolean
get_int (JsonNode    *node,
         const char  *path,
         gint64       min,
         gint64       max,
         gint64      *out,
         GError     **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail_type (path, _("a whole number"), error);
  *out = json_node_get_int (node);
  if (*out < min || *out > max)
    {
      g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_INVALID_VALUE,
                   _("School policy setting “%s” must be between %d and %d"), path, (int) min,
                   (int) max);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_uint (JsonNode    *node,
          const char  *path,
          gint64       min,
          gint64       max,
          guint       *out,
          GError     **error)
{
  gint64 v;

  if (!get_int (node, path, min, max, &v, error))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static gboolean
get_double (JsonNode    *node,
            const char  *path,
            double       min,
            double       max,
            double      *out,
            GError     **error)
{
  GType t = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (t != G_TYPE_INT64 && t != G_TYPE_DOUBLE)
    return fail_type (path, _("a number"), error);
  *out = json_node_get_double (node);
  if (!isfinite (*out) || *out < min || *out > max)
    {
      g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_INVALID_VALUE,
                   _("School policy setting “%s” must be between %g and %g"), path, min, max);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_string (JsonNode    *node,
            const char  *path,
            const char **out,
            GError     **error)
{
  g_autofree char *copy = NULL;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail_type (path, _("a string"), error);
  *out = json_node_get_string (node);
  /* A blank text would show as an empty cell. */
  copy = g_strstrip (g_strdup (*out));
  if (copy[0] == '\0')
    return fail_value (error, _("School policy setting “%s” must not be empty"), path);
  return TRUE;
}

static gboolean
get_bool (JsonNode    *node,
          const char  *path,
          gboolean    *out,
          GError     **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail_type (path, _("true or false"), error);
  *out = json_node_get_boolean (node);
  return TRUE;
}

static JsonArray *
get_array (JsonNode    *node,
           const char  *path,
           gboolean     allow_empty,
           GError     **error)
{
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      fail_type (path, _("a list"), error);
      return NULL;
    }
  if (!allow_empty && json_array_get_length (json_node_get_array (node)) == 0)
    {
      fail_value (error, _("School policy setting “%s” must not be empty"), path);
      return NULL;
    }
  return json_node_get_array (node);
}

/* get_object: @node as an object whose members are all among @known (NULL-terminated). */
static JsonObject *
get_object (JsonNode           *node,
            const char         *path,
            const char * const *known,
            GError            **error)
{
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail_type (path, _("an object"), error);
      return NULL;
    }
  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      {
        g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_UNKNOWN_SETTING,
                     _("Unknown school policy setting “%s.%s”"), path, (const char *) l->data);
        return NULL;
      }
  return object;
}

/* member: the member @name of @object, or fails naming @path.@name as missing. */
static JsonNode *
member (JsonObject  *object,
        const char  *path,
        const char  *name,
        char       **member_path,
        GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  g_free (*member_path);
  *member_path = g_strdup_printf ("%s.%s", path, name);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_INVALID_VALUE,
                   _("School policy setting “%s” is missing"), *member_path);
      return NULL;
    }
  return node;
}

static char *
normalize_code (const char *s)
{
  g_autofree char *down = g_utf8_strdown (s, -1);
  GString *out = g_string_new (NULL);

  g_strstrip (down);
  for (const char *p = down; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_unichar (out, c == 0x0451 /* ё */ ? 0x0435 /* е */ : c);
    }
  if (out->len > 1 && out->str[out->len - 1] == '.')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

static gboolean
spelled_as (const char         *value,
            const char * const *spellings,
            gsize               n)
{
  g_autofree char *norm = normalize_code (value);

  for (gsize i = 0; i < n; i++)
    if (g_strcmp0 (norm, spellings[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_exempt (const char *value)
{
  return spelled_as (value, exempt_spellings, G_N_ELEMENTS (exempt_spellings));
}

static gboolean
is_not_assessed (const char *value)
{
  return spelled_as (value, not_assessed_spellings, G_N_ELEMENTS (not_assessed_spellings));
}

/* A code of a dictionary: lower-case ASCII letters, digits and "_", so it is safe in SQL, JSON and
 * URLs alike. */
static gboolean
check_code (const char  *code,
            const char  *path,
            GError     **error)
{
  if (strlen (code) > 32)
    return fail_value (error, _("School policy setting “%s”: “%s” is not a valid code"),
                       path, code);
  for (const char *p = code; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_')
      return fail_value (error, _("School policy setting “%s”: “%s” is not a valid code"),
                         path, code);
  return TRUE;
}

static gboolean
parse_timezone (ZhPolicy    *self,
                JsonNode    *node,
                const char  *path,
                GError     **error)
{
  const char *id;
  GTimeZone *tz;

  if (!get_string (node, path, &id, error))
    return FALSE;
  tz = g_time_zone_new_identifier (id);
  if (tz == NULL)
    return fail_value (error, _("School policy setting “%s”: unknown time zone “%s”"), path, id);
  g_clear_pointer (&self->timezone, g_time_zone_unref);
  self->timezone = tz;
  g_free (self->timezone_id);
  self->timezone_id = g_strdup (id);
  return TRUE;
}

static gboolean
parse_lesson_starts (ZhPolicy    *self,
                     JsonNode    *node,
                     const char  *path,
                     GError     **error)
{
  JsonArray *array = get_array (node, path, FALSE, error);
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (guint));

  if (array == NULL)
    return FALSE;
  if (json_array_get_length (array) > 16)
    return fail_value (error, _("School policy setting “%s” has more than %d lessons"), path, 16);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%u]", path, i);
      const char *s;
      guint m;

      if (!get_string (json_array_get_element (array, i), p, &s, error))
        return FALSE;
      m = parse_clock (s);
      if (m == G_MAXUINT)
        return fail_value (error, _("School policy setting “%s” must be a time “HH:MM”"), p);
      if (i > 0 && m <= g_array_index (starts, guint, i - 1))
        return fail_value (error, _("School policy setting “%s” must be later than the lesson "
                                    "before it"), p);
      g_array_append_val (starts, m);
    }
  g_array_unref (self->lesson_starts);
  self->lesson_starts = g_steal_pointer (&starts);
  return TRUE;
}

static gboolean
parse_rounding (ZhPolicy    *self,
                JsonNode    *node,
                const char  *path,
                GError     **error)
{
  static const char * const keys[] = { "5", "4", "3", NULL };
  JsonObject *object = get_object (node, path, keys, error);

  if (object == NULL)
    return FALSE;
  for (guint i = 0; keys[i] != NULL; i++)
    {
      JsonNode *n = json_object_get_member (object, keys[i]);
      g_autofree char *p = g_strdup_printf ("%s.%s", path, keys[i]);

      /* A member left out keeps its default. */
      if (n != NULL && !get_double (n, p, 1.0, 5.0, &self->rounding[i], error))
        return FALSE;
    }
  if (!(self->rounding[0] > self->rounding[1] && self->rounding[1] > self->rounding[2]))
    return fail_value (error, _("School policy setting “%s”: the least average for “5” must be "
                                "above the one for “4”, and that above the one for “3”"), path);
  return TRUE;
}

static gboolean
parse_no_marks_grades (ZhPolicy    *self,
                       JsonNode    *node,
                       const char  *path,
                       GError     **error)
{
  JsonArray *array = get_array (node, path, TRUE, error);
  gboolean grades[N_GRADES + 1] = { FALSE, };

  if (array == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%u]", path, i);
      gint64 g;

      if (!get_int (json_array_get_element (array, i), p, 1, N_GRADES, &g, error))
        return FALSE;
      grades[g] = TRUE;
    }
  memcpy (self->no_marks, grades, sizeof grades);
  return TRUE;
}

static gboolean
parse_min_marks (ZhPolicy    *self,
                 JsonNode    *node,
                 const char  *path,
                 GError     **error)
{
  static const char * const keys[] = { "hours", "marks", NULL };
  JsonArray *array = get_array (node, path, FALSE, error);
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (MinMarksRow));

  if (array == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%u]", path, i);
      g_autofree char *mp = NULL;
      JsonObject *object = get_object (json_array_get_element (array, i), p, keys, error);
      JsonNode *n;
      MinMarksRow row;

      if (object == NULL)
        return FALSE;
      if ((n = member (object, p, "hours", &mp, error)) == NULL
          || !get_double (n, mp, 0.5, 40, &row.hours, error))
        return FALSE;
      if ((n = member (object, p, "marks", &mp, error)) == NULL
          || !get_uint (n, mp, 1, 100, &row.marks, error))
        return FALSE;
      if (i > 0 && row.hours <= g_array_index (rows, MinMarksRow, i - 1).hours)
        return fail_value (error, _("School policy setting “%s”: the rows must go by increasing "
                                    "hours"), path);
      g_array_append_val (rows, row);
    }
  g_array_unref (self->min_marks);
  self->min_marks = g_steal_pointer (&rows);
  return TRUE;
}

static gboolean
parse_mark_values (ZhPolicy    *self,
                   JsonNode    *node,
                   const char  *path,
                   GError     **error)
{
  static const char * const keys[] = { "code", "text", "value", "current", "period", NULL };
  static const char * const rounded[] = { "5", "4", "3", "2" };
  JsonArray *array = get_array (node, path, FALSE, error);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (mark_value_free);

  if (array == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%u]", path, i);
      g_autofree char *mp = NULL;
      JsonObject *object = get_object (json_array_get_element (array, i), p, keys, error);
      JsonNode *n;
      const char *code, *text;
      gboolean current = TRUE, period = TRUE;
      MarkValue *m;

      if (object == NULL)
        return FALSE;
      if ((n = member (object, p, "code", &mp, error)) == NULL || !get_string (n, mp, &code, error))
        return FALSE;
      /* Not even a school may put these on its scale (002 §5.2, 004 §5.3). */
      if (is_exempt (code) || is_not_assessed (code))
        return fail_value (error, _("School policy setting “%s”: “%s” is not allowed in the "
                                    "journal"), mp, code);
      if (!check_code (code, mp, error))
        return FALSE;
      for (guint j = 0; j < values->len; j++)
        if (g_str_equal (((MarkValue *) values->pdata[j])->code, code))
          return fail_value (error, _("School policy setting “%s”: “%s” appears twice"), mp, code);
      if ((n = member (object, p, "text", &mp, error)) == NULL || !get_string (n, mp, &text, error))
        return FALSE;
      if (is_exempt (text) || is_not_assessed (text))
        return fail_value (error, _("School policy setting “%s”: “%s” is not allowed in the "
                                    "journal"), mp, text);

      m = g_new0 (MarkValue, 1);
      g_ptr_array_add (values, m);
      m->code = g_strdup (code);
      text_set (&m->text, text, NULL, FALSE);
      if ((n = json_object_get_member (object, "value")) != NULL)
        {
          g_free (mp);
          mp = g_strdup_printf ("%s.value", p);
          if (!get_double (n, mp, 1, 5, &m->value, error))
            return FALSE;
          m->numeric = TRUE;
        }
      if ((n = json_object_get_member (object, "current")) != NULL)
        {
          g_free (mp);
          mp = g_strdup_printf ("%s.current", p);
          if (!get_bool (n, mp, &current, error))
            return FALSE;
        }
      if ((n = json_object_get_member (object, "period")) != NULL)
        {
          g_free (mp);
          mp = g_strdup_printf ("%s.period", p);
          if (!get_bool (n, mp, &period, error))
            return FALSE;
        }
      if (!current && !period)
        return fail_value (error, _("School policy setting “%s”: the value must be allowed as a "
                                    "current mark, a period mark or both"), p);
      m->use = (current ? ZH_MARK_USE_CURRENT : 0) | (period ? ZH_MARK_USE_PERIOD : 0);
    }

  /* The suggested period mark is one of these (zh_policy_suggest_period_mark). */
  for (guint r = 0; r < G_N_ELEMENTS (rounded); r++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < values->len; j++)
        {
          MarkValue *m = values->pdata[j];

          if (g_str_equal (m->code, rounded[r]) && m->numeric && (m->use & ZH_MARK_USE_PERIOD))
            found = TRUE;
        }
      if (!found)
        return fail_value (error, _("School policy setting “%s” must have the numeric mark “%s” "
                                    "allowed as a period mark"), path, rounded[r]);
    }

  g_ptr_array_unref (self->mark_values);
  self->mark_values = g_steal_pointer (&values);
  return TRUE;
}

static gboolean
parse_attendance_codes (ZhPolicy    *self,
                        JsonNode    *node,
                        const char  *path,
                        GError     **error)
{
  static const char * const keys[] = { "absent", "ill", "valid", "invalid", "late", NULL };
  JsonObject *object = get_object (node, path, keys, error);
  Text texts[N_ATTENDANCE_CODES] = { { NULL, }, };
  gboolean ok = TRUE;

  if (object == NULL)
    return FALSE;
  for (guint i = 0; ok && i < N_ATTENDANCE_CODES; i++)
    {
      const char *nick = enum_nick (ZH_TYPE_ATTENDANCE_CODE, i);
      JsonNode *n = json_object_get_member (object, nick);
      g_autofree char *p = g_strdup_printf ("%s.%s", path, nick);
      const char *text;

      if (n == NULL || JSON_NODE_HOLDS_NULL (n))
        continue;   /* the school does not use this code */
      ok = get_string (n, p, &text, error);
      for (guint j = 0; ok && j < i; j++)
        {
          /* The teacher types the letter: two codes must not share one. */
          g_autofree char *a = texts[j].text != NULL ? normalize_code (texts[j].text) : NULL;
          g_autofree char *b = normalize_code (text);

          if (g_strcmp0 (a, b) == 0)
            ok = fail_value (error, _("School policy setting “%s”: “%s” appears twice"), p, text);
        }
      if (ok)
        text_set (&texts[i], text, NULL, FALSE);
    }
  /* An absence is recorded as «н» first (002 §5.3); every other code is optional. */
  if (ok && texts[ZH_ATTENDANCE_ABSENT].text == NULL)
    ok = fail_value (error, _("School policy setting “%s” is missing"), "attendance_codes.absent");

  for (guint i = 0; i < N_ATTENDANCE_CODES; i++)
    {
      if (ok)
        {
          g_free (self->attendance[i].text);
          self->attendance[i] = texts[i];
        }
      else
        g_free (texts[i].text);
    }
  return ok;
}

static gboolean
parse_work_types (ZhPolicy    *self,
                  JsonNode    *node,
                  const char  *path,
                  GError     **error)
{
  static const char * const keys[] = { "code", "title", "abbr", "weight", NULL };
  JsonArray *array = get_array (node, path, FALSE, error);
  g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func (work_type_free);

  if (array == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%u]", path, i);
      g_autofree char *mp = NULL;
      JsonObject *object = get_object (json_array_get_element (array, i), p, keys, error);
      JsonNode *n;
      const char *code, *title, *abbr;
      double weight;
      WorkType *w;

      if (object == NULL)
        return FALSE;
      if ((n = member (object, p, "code", &mp, error)) == NULL || !get_string (n, mp, &code, error)
          || !check_code (code, mp, error))
        return FALSE;
      for (guint j = 0; j < types->len; j++)
        if (g_str_equal (((WorkType *) types->pdata[j])->code, code))
          return fail_value (error, _("School policy setting “%s”: “%s” appears twice"), mp, code);
      if ((n = member (object, p, "title", &mp, error)) == NULL
          || !get_string (n, mp, &title, error))
        return FALSE;
      if ((n = member (object, p, "abbr", &mp, error)) == NULL || !get_string (n, mp, &abbr, error))
        return FALSE;
      if ((n = member (object, p, "weight", &mp, error)) == NULL
          || !get_double (n, mp, 0.1, 10, &weight, error))
        return FALSE;

      w = g_new0 (WorkType, 1);
      w->code = g_strdup (code);
      text_set (&w->title, title, NULL, FALSE);
      text_set (&w->abbr, abbr, NULL, FALSE);
      w->weight = weight;
      g_ptr_array_add (types, w);
    }
  g_ptr_array_unref (self->work_types);
  self->work_types = g_steal_pointer (&types);
  return TRUE;
}

static gboolean
parse_periods (ZhPolicy    *self,
               JsonNode    *node,
               const char  *path,
               GError     **error)
{
  static const char * const keys[] = { "grades", "kind", NULL };
  JsonArray *array = get_array (node, path, FALSE, error);
  g_autoptr(GArray) rules = g_array_new (FALSE, FALSE, sizeof (PeriodRule));
  int covered[N_GRADES + 1] = { 0, };

  if (array == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%u]", path, i);
      g_autofree char *mp = NULL;
      JsonObject *object = get_object (json_array_get_element (array, i), p, keys, error);
      JsonArray *grades;
      JsonNode *n;
      const char *kind;
      int kind_value;
      gint64 from, to;
      PeriodRule rule;

      if (object == NULL)
        return FALSE;
      if ((n = member (object, p, "grades", &mp, error)) == NULL
          || (grades = get_array (n, mp, FALSE, error)) == NULL)
        return FALSE;
      if (json_array_get_length (grades) != 2)
        return fail_value (error, _("School policy setting “%s” must be two grades: the first "
                                    "and the last"), mp);
      if (!get_int (json_array_get_element (grades, 0), mp, 1, N_GRADES, &from, error)
          || !get_int (json_array_get_element (grades, 1), mp, 1, N_GRADES, &to, error))
        return FALSE;
      if (from > to)
        return fail_value (error, _("School policy setting “%s” must be two grades: the first "
                                    "and the last"), mp);
      if ((n = member (object, p, "kind", &mp, error)) == NULL || !get_string (n, mp, &kind, error))
        return FALSE;
      if (!enum_value (ZH_TYPE_PERIOD_KIND, kind, &kind_value))
        return fail_value (error, _("School policy setting “%s”: unknown period kind “%s”"),
                           mp, kind);
      for (gint64 g = from; g <= to; g++)
        if (covered[g]++)
          return fail_value (error, _("School policy setting “%s”: grade %d appears twice"),
                             path, (int) g);
      rule.grade_from = from;
      rule.grade_to = to;
      rule.kind = kind_value;
      g_array_append_val (rules, rule);
    }
  for (int g = 1; g <= N_GRADES; g++)
    if (!covered[g])
      return fail_value (error,
                         _("School policy setting “%s” does not say the periods of grade %d"),
                         path, g);
  g_array_unref (self->periods);
  self->periods = g_steal_pointer (&rules);
  return TRUE;
}

static gboolean
parse_correction_roles (ZhPolicy    *self,
                        JsonNode    *node,
                        const char  *path,
                        GError     **error)
{
  JsonArray *array = get_array (node, path, FALSE, error);
  ZhRoles roles = 0;

  if (array == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%u]", path, i);
      const char *nick;

      if (!get_string (json_array_get_element (array, i), p, &nick, error))
        return FALSE;
      /* Only the administration: a teacher never corrects marks (002 §7). */
      if (g_str_equal (nick, "admin"))
        roles |= ZH_ROLE_ADMIN;
      else if (g_str_equal (nick, "deputy"))
        roles |= ZH_ROLE_DEPUTY;
      else if (g_str_equal (nick, "director"))
        roles |= ZH_ROLE_DIRECTOR;
      else
        return fail_value (error, _("School policy setting “%s”: “%s” is not one of admin, "
                                    "deputy, director"), p, nick);
    }
  self->correction_roles = roles;
  return TRUE;
}

static const char * const setting_names[N_SETTINGS] = {
  [SETTING_TIMEZONE] = "timezone",
  [SETTING_LESSON_STARTS] = "lesson_starts",
  [SETTING_LESSON_MINUTES] = "lesson_minutes",
  [SETTING_RECORD_DEADLINE] = "record_deadline",
  [SETTING_HOMEWORK_DEADLINE_MINUTES] = "homework_deadline_minutes",
  [SETTING_MARKS_DEADLINE_DAYS] = "marks_deadline_days",
  [SETTING_PERIOD_MARKS_DEADLINE_DAYS] = "period_marks_deadline_days",
  [SETTING_EDIT_WINDOW_DAYS] = "edit_window_days",
  [SETTING_UNDO_SECONDS] = "undo_seconds",
  [SETTING_NO_MARKS_GRADES] = "no_marks_grades",
  [SETTING_NO_MARKS_GRADE2_FIRST_HALF] = "no_marks_grade2_first_half",
  [SETTING_ROUNDING] = "rounding",
  [SETTING_MIN_MARKS] = "min_marks",
  [SETTING_MARK_VALUES] = "mark_values",
  [SETTING_ATTENDANCE_CODES] = "attendance_codes",
  [SETTING_WORK_TYPES] = "work_types",
  [SETTING_PERIODS] = "periods",
  [SETTING_CORRECTION_ROLES] = "correction_roles",
};

static gboolean
parse_setting (ZhPolicy    *self,
               Setting      setting,
               JsonNode    *node,
               GError     **error)
{
  const char *path = setting_names[setting];
  const char *s;

  switch (setting)
    {
    case SETTING_TIMEZONE:
      return parse_timezone (self, node, path, error);
    case SETTING_LESSON_STARTS:
      return parse_lesson_starts (self, node, path, error);
    case SETTING_LESSON_MINUTES:
      return get_uint (node, path, 10, 240, &self->lesson_minutes, error);
    case SETTING_RECORD_DEADLINE:
      if (!get_string (node, path, &s, error))
        return FALSE;
      self->record_deadline = parse_clock (s);
      if (self->record_deadline == G_MAXUINT)
        return fail_value (error, _("School policy setting “%s” must be a time “HH:MM”"), path);
      return TRUE;
    case SETTING_HOMEWORK_DEADLINE_MINUTES:
      return get_uint (node, path, 0, 24 * 60, &self->homework_deadline_minutes, error);
    case SETTING_MARKS_DEADLINE_DAYS:
      return get_uint (node, path, 0, 366, &self->marks_deadline_days, error);
    case SETTING_PERIOD_MARKS_DEADLINE_DAYS:
      return get_uint (node, path, 0, 366, &self->period_marks_deadline_days, error);
    case SETTING_EDIT_WINDOW_DAYS:
      return get_uint (node, path, 0, 366, &self->edit_window_days, error);
    case SETTING_UNDO_SECONDS:
      return get_uint (node, path, 0, 24 * 3600, &self->undo_seconds, error);
    case SETTING_NO_MARKS_GRADES:
      return parse_no_marks_grades (self, node, path, error);
    case SETTING_NO_MARKS_GRADE2_FIRST_HALF:
      return get_bool (node, path, &self->no_marks_grade2_first_half, error);
    case SETTING_ROUNDING:
      return parse_rounding (self, node, path, error);
    case SETTING_MIN_MARKS:
      return parse_min_marks (self, node, path, error);
    case SETTING_MARK_VALUES:
      return parse_mark_values (self, node, path, error);
    case SETTING_ATTENDANCE_CODES:
      return parse_attendance_codes (self, node, path, error);
    case SETTING_WORK_TYPES:
      return parse_work_types (self, node, path, error);
    case SETTING_PERIODS:
      return parse_periods (self, node, path, error);
    case SETTING_CORRECTION_ROLES:
      return parse_correction_roles (self, node, path, error);
    case N_SETTINGS:
    default:
      g_assert_not_reached ();
    }
}

/* The lesson times must fit in the day without overlapping; checked after both settings. */
static gboolean
check_bell_schedule (ZhPolicy  *self,
                     GError   **error)
{
  for (guint i = 0; i < self->lesson_starts->len; i++)
    {
      guint end = g_array_index (self->lesson_starts, guint, i) + self->lesson_minutes;
      guint next = i + 1 < self->lesson_starts->len
        ? g_array_index (self->lesson_starts, guint, i + 1) : 24 * 60;

      if (end > next)
        return fail_value (error, _("School policy setting “%s”: lesson %u, %u minutes long, "
                                    "runs into the next lesson or past midnight"),
                           "lesson_starts", i + 1, self->lesson_minutes);
    }
  return TRUE;
}

/**
 * zh_policy_new_from_json:
 * @json: the text of `school.policy`: a JSON object, every member optional
 *
 * Parses a school's policy; members left out keep their defaults and anything unknown or
 * malformed is refused with a ZH_POLICY_ERROR naming the member.
 *
 * Returns: (transfer full): the policy, or %NULL with @error set
 */
ZhPolicy *
zh_policy_new_from_json (const char  *json,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ZhPolicy) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GList) members = NULL;
  JsonNode *root;
  JsonObject *object;

  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!json_parser_load_from_data (parser, json, -1, &local_error))
    {
      g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_PARSE,
                   _("The school policy is not valid JSON: %s"), local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_PARSE,
                           _("The school policy must be a JSON object"));
      return NULL;
    }

  self = policy_alloc ();
  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      int setting = -1;

      for (int i = 0; i < N_SETTINGS; i++)
        if (g_str_equal (name, setting_names[i]))
          setting = i;
      if (setting < 0)
        {
          g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_UNKNOWN_SETTING,
                       _("Unknown school policy setting “%s”"), name);
          return NULL;
        }
      if (!parse_setting (self, setting, json_object_get_member (object, name), error))
        return NULL;
      self->given |= 1u << setting;
    }
  if (!check_bell_schedule (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* A small JSON writer: json-glib 1.6 writes doubles with 17 digits (4.6 as 4.5999999999999996),
 * which is no way to show a school its own settings. This one writes the shortest form that
 * reads back as the same number; its calls mirror JsonBuilder's. */
typedef struct
{
  GString  *out;
  gboolean  need_comma;
} Writer;

static void
w_sep (Writer *w)
{
  if (w->need_comma)
    g_string_append_c (w->out, ',');
  w->need_comma = TRUE;
}

static void
w_open (Writer *w,
        char    c)
{
  w_sep (w);
  g_string_append_c (w->out, c);
  w->need_comma = FALSE;
}

static void
w_close (Writer *w,
         char    c)
{
  g_string_append_c (w->out, c);
  w->need_comma = TRUE;
}

static void
w_string (Writer     *w,
          const char *value)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), value);
  g_autofree char *quoted = json_to_string (node, FALSE);

  w_sep (w);
  g_string_append (w->out, quoted);
}

static void
w_member (Writer     *w,
          const char *name)
{
  w_string (w, name);
  g_string_append_c (w->out, ':');
  w->need_comma = FALSE;
}

static void
w_int (Writer *w,
       gint64  value)
{
  w_sep (w);
  g_string_append_printf (w->out, "%" G_GINT64_FORMAT, value);
}

static void
w_double (Writer *w,
          double  value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 1; digits <= 17; digits++)
    {
      g_autofree char *format = g_strdup_printf ("%%.%dg", digits);

      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  w_sep (w);
  g_string_append (w->out, buf);
}

static void
w_bool (Writer   *w,
        gboolean  value)
{
  w_sep (w);
  g_string_append (w->out, value ? "true" : "false");
}

static void
add_text (Writer      *b,
          const char  *name,
          const Text  *t)
{
  /* A default text is written as the school would see it. */
  w_member (b, name);
  w_string (b, text_get (t));
}

static void
build_setting (const ZhPolicy *self,
               Setting         setting,
               Writer         *b)
{
  w_member (b, setting_names[setting]);
  switch (setting)
    {
    case SETTING_TIMEZONE:
      w_string (b, self->timezone_id);
      break;
    case SETTING_LESSON_STARTS:
      w_open (b, '[');
      for (guint i = 0; i < self->lesson_starts->len; i++)
        {
          g_autofree char *s = format_clock (g_array_index (self->lesson_starts, guint, i));
          w_string (b, s);
        }
      w_close (b, ']');
      break;
    case SETTING_LESSON_MINUTES:
      w_int (b, self->lesson_minutes);
      break;
    case SETTING_RECORD_DEADLINE:
      {
        g_autofree char *s = format_clock (self->record_deadline);
        w_string (b, s);
      }
      break;
    case SETTING_HOMEWORK_DEADLINE_MINUTES:
      w_int (b, self->homework_deadline_minutes);
      break;
    case SETTING_MARKS_DEADLINE_DAYS:
      w_int (b, self->marks_deadline_days);
      break;
    case SETTING_PERIOD_MARKS_DEADLINE_DAYS:
      w_int (b, self->period_marks_deadline_days);
      break;
    case SETTING_EDIT_WINDOW_DAYS:
      w_int (b, self->edit_window_days);
      break;
    case SETTING_UNDO_SECONDS:
      w_int (b, self->undo_seconds);
      break;
    case SETTING_NO_MARKS_GRADES:
      w_open (b, '[');
      for (int g = 1; g <= N_GRADES; g++)
        if (self->no_marks[g])
          w_int (b, g);
      w_close (b, ']');
      break;
    case SETTING_NO_MARKS_GRADE2_FIRST_HALF:
      w_bool (b, self->no_marks_grade2_first_half);
      break;
    case SETTING_ROUNDING:
      w_open (b, '{');
      w_member (b, "5");
      w_double (b, self->rounding[0]);
      w_member (b, "4");
      w_double (b, self->rounding[1]);
      w_member (b, "3");
      w_double (b, self->rounding[2]);
      w_close (b, '}');
      break;
    case SETTING_MIN_MARKS:
      w_open (b, '[');
      for (guint i = 0; i < self->min_marks->len; i++)
        {
          const MinMarksRow *row = &g_array_index (self->min_marks, MinMarksRow, i);

          w_open (b, '{');
          w_member (b, "hours");
          w_double (b, row->hours);
          w_member (b, "marks");
          w_int (b, row->marks);
          w_close (b, '}');
        }
      w_close (b, ']');
      break;
    case SETTING_MARK_VALUES:
      w_open (b, '[');
      for (guint i = 0; i < self->mark_values->len; i++)
        {
          const MarkValue *m = self->mark_values->pdata[i];

          w_open (b, '{');
          w_member (b, "code");
          w_string (b, m->code);
          add_text (b, "text", &m->text);
          if (m->numeric)
            {
              w_member (b, "value");
              w_double (b, m->value);
            }
          w_member (b, "current");
          w_bool (b, (m->use & ZH_MARK_USE_CURRENT) != 0);
          w_member (b, "period");
          w_bool (b, (m->use & ZH_MARK_USE_PERIOD) != 0);
          w_close (b, '}');
        }
      w_close (b, ']');
      break;
    case SETTING_ATTENDANCE_CODES:
      w_open (b, '{');
      for (guint i = 0; i < N_ATTENDANCE_CODES; i++)
        if (self->attendance[i].text != NULL)
          add_text (b, enum_nick (ZH_TYPE_ATTENDANCE_CODE, i), &self->attendance[i]);
      w_close (b, '}');
      break;
    case SETTING_WORK_TYPES:
      w_open (b, '[');
      for (guint i = 0; i < self->work_types->len; i++)
        {
          const WorkType *w = self->work_types->pdata[i];

          w_open (b, '{');
          w_member (b, "code");
          w_string (b, w->code);
          add_text (b, "title", &w->title);
          add_text (b, "abbr", &w->abbr);
          w_member (b, "weight");
          w_double (b, w->weight);
          w_close (b, '}');
        }
      w_close (b, ']');
      break;
    case SETTING_PERIODS:
      w_open (b, '[');
      for (guint i = 0; i < self->periods->len; i++)
        {
          const PeriodRule *r = &g_array_index (self->periods, PeriodRule, i);

          w_open (b, '{');
          w_member (b, "grades");
          w_open (b, '[');
          w_int (b, r->grade_from);
          w_int (b, r->grade_to);
          w_close (b, ']');
          w_member (b, "kind");
          w_string (b, enum_nick (ZH_TYPE_PERIOD_KIND, r->kind));
          w_close (b, '}');
        }
      w_close (b, ']');
      break;
    case SETTING_CORRECTION_ROLES:
      w_open (b, '[');
      if (self->correction_roles & ZH_ROLE_ADMIN)
        w_string (b, "admin");
      if (self->correction_roles & ZH_ROLE_DEPUTY)
        w_string (b, "deputy");
      if (self->correction_roles & ZH_ROLE_DIRECTOR)
        w_string (b, "director");
      w_close (b, ']');
      break;
    case N_SETTINGS:
    default:
      g_assert_not_reached ();
    }
}

/**
 * zh_policy_to_json:
 *
 * Writes the settings the policy was given (the defaults are left out, so a default policy is
 * "{}" and a newer build's better defaults reach a school that never changed them).
 *
 * Returns: (transfer full): the JSON text for `school.policy`
 */
char *
zh_policy_to_json (const ZhPolicy *self)
{
  Writer w = { g_string_new (NULL), FALSE };

  g_return_val_if_fail (self != NULL, NULL);

  w_open (&w, '{');
  for (int i = 0; i < N_SETTINGS; i++)
    if (self->given & (1u << i))
      build_setting (self, i, &w);
  w_close (&w, '}');
  return g_string_free (w.out, FALSE);
}

/**
 * zh_policy_error_to_code:
 * @error: any error
 *
 * Gives the stable code the API sends for a ZH_POLICY_ERROR, e.g. "edit_window_closed".
 *
 * Returns: (nullable): the code, or %NULL when @error is not a policy error
 */
const char *
zh_policy_error_to_code (const GError *error)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *v;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != ZH_POLICY_ERROR)
    return NULL;
  klass = g_type_class_ref (ZH_TYPE_POLICY_ERROR);
  v = g_enum_get_value (klass, error->code);
  return v != NULL ? v->value_nick : NULL;
}

/* zh_policy_error_from_code: the ZhPolicyError of an API code; FALSE when there is none. */
gboolean
zh_policy_error_from_code (const char    *code,
                           ZhPolicyError *out_code)
{
  int value;

  g_return_val_if_fail (code != NULL, FALSE);

  if (!enum_value (ZH_TYPE_POLICY_ERROR, code, &value))
    return FALSE;
  if (out_code != NULL)
    *out_code = value;
  return TRUE;
}

/* zh_policy_get_timezone_id: the school's time zone, e.g. "Europe/Moscow". */
const char *
zh_policy_get_timezone_id (const ZhPolicy *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->timezone_id;
}

/**
 * zh_policy_get_timezone:
 *
 * The school's time zone: every clock time of the policy is read in it.
 *
 * Returns: (transfer none): the time zone
 */
GTimeZone *
zh_policy_get_timezone (const ZhPolicy *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->timezone;
}

/* zh_policy_get_n_lessons: how many lessons the bell schedule has (numbers 1..n). */
guint
zh_policy_get_n_lessons (const ZhPolicy *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->lesson_starts->len;
}

/* zh_policy_get_lesson_minutes: how long a lesson lasts. */
guint
zh_policy_get_lesson_minutes (const ZhPolicy *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->lesson_minutes;
}

/* zh_policy_get_record_deadline: the time of day (minutes after midnight) by which the topic and
 * the absences of a lesson are due (000 §3.5.2). */
guint
zh_policy_get_record_deadline (const ZhPolicy *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->record_deadline;
}

/* zh_policy_get_homework_deadline_minutes: minutes after a lesson's end for its homework. */
guint
zh_policy_get_homework_deadline_minutes (const ZhPolicy *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->homework_deadline_minutes;
}

/* zh_policy_get_marks_deadline_days: days after the lesson for its current marks. */
guint
zh_policy_get_marks_deadline_days (const ZhPolicy *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->marks_deadline_days;
}

/* zh_policy_get_period_marks_deadline_days: days after a period's end for its period marks. */
guint
zh_policy_get_period_marks_deadline_days (const ZhPolicy *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->period_marks_deadline_days;
}

/* zh_policy_get_edit_window_days: days after a lesson during which its teacher may change it. */
guint
zh_policy_get_edit_window_days (const ZhPolicy *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->edit_window_days;
}

/* zh_policy_get_undo_seconds: how long the author may still take back a mark just entered. */
guint
zh_policy_get_undo_seconds (const ZhPolicy *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->undo_seconds;
}

/* zh_policy_get_rounding: the least weighted averages that suggest a "5", a "4" and a "3". */
void
zh_policy_get_rounding (const ZhPolicy *self,
                        double         *for_5,
                        double         *for_4,
                        double         *for_3)
{
  g_return_if_fail (self != NULL);

  if (for_5 != NULL)
    *for_5 = self->rounding[0];
  if (for_4 != NULL)
    *for_4 = self->rounding[1];
  if (for_3 != NULL)
    *for_3 = self->rounding[2];
}

/* zh_policy_role_may_correct: whether a staff member with @roles may correct marks (002 §7). */
gboolean
zh_policy_role_may_correct (const ZhPolicy *self,
                            ZhRoles         roles)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return (roles & self->correction_roles) != 0;
}

/* zh_policy_get_period_kind: the kind of reporting period of @grade (001 §4.2, 002 §5.1). */
ZhPeriodKind
zh_policy_get_period_kind (const ZhPolicy *self,
                           int             grade)
{
  g_return_val_if_fail (self != NULL, ZH_PERIOD_KIND_QUARTER);
  g_return_val_if_fail (grade >= 1 && grade <= N_GRADES, ZH_PERIOD_KIND_QUARTER);

  for (guint i = 0; i < self->periods->len; i++)
    {
      const PeriodRule *r = &g_array_index (self->periods, PeriodRule, i);

      if (grade >= r->grade_from && grade <= r->grade_to)
        return r->kind;
    }
  /* Parsing makes the rules cover every grade. */
  g_assert_not_reached ();
}

static const WorkType *
find_work_type (const ZhPolicy *self,
                const char     *code)
{
  for (guint i = 0; i < self->work_types->len; i++)
    {
      const WorkType *w = self->work_types->pdata[i];

      if (g_str_equal (w->code, code))
        return w;
    }
  return NULL;
}

static const MarkValue *
find_mark_value (const ZhPolicy *self,
                 const char     *code)
{
  for (guint i = 0; i < self->mark_values->len; i++)
    {
      const MarkValue *m = self->mark_values->pdata[i];

      if (g_str_equal (m->code, code))
        return m;
    }
  return NULL;
}

/* zh_policy_get_n_work_types: how many forms of control the school has. */
guint
zh_policy_get_n_work_types (const ZhPolicy *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->work_types->len;
}

/* zh_policy_get_work_type_code: the code of the form of control at @index, in the school's
 * order. */
const char *
zh_policy_get_work_type_code (const ZhPolicy *self,
                              guint           index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->work_types->len, NULL);

  return ((const WorkType *) self->work_types->pdata[index])->code;
}

/**
 * zh_policy_lookup_work_type:
 * @code: a work type code, e.g. "test"
 * @title: (out) (optional) (transfer none): its title, «Контрольная работа»
 * @abbreviation: (out) (optional) (transfer none): its short form for narrow columns, «к/р»
 * @weight: (out) (optional): its weight in the weighted average (002 §5.2)
 *
 * Finds a form of control of the school.
 *
 * Returns: %TRUE when the school has it
 */
gboolean
zh_policy_lookup_work_type (const ZhPolicy *self,
                            const char     *code,
                            const char    **title,
                            const char    **abbreviation,
                            double         *weight)
{
  const WorkType *w;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  w = find_work_type (self, code);
  if (w == NULL)
    return FALSE;
  if (title != NULL)
    *title = text_get (&w->title);
  if (abbreviation != NULL)
    *abbreviation = text_get (&w->abbr);
  if (weight != NULL)
    *weight = w->weight;
  return TRUE;
}

/* zh_policy_check_work_type: fails with UNKNOWN_WORK_TYPE when the school has no form of control
 * @code. */
gboolean
zh_policy_check_work_type (const ZhPolicy *self,
                           const char     *code,
                           GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  if (find_work_type (self, code) != NULL)
    return TRUE;
  g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_UNKNOWN_WORK_TYPE,
               _("“%s” is not a form of control of this school"), code);
  return FALSE;
}

/* zh_policy_get_n_mark_values: how many values the school's mark scale has. */
guint
zh_policy_get_n_mark_values (const ZhPolicy *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->mark_values->len;
}

/* zh_policy_get_mark_value_code: the code of the scale's value at @index ("5", …, "pass"). */
const char *
zh_policy_get_mark_value_code (const ZhPolicy *self,
                               guint           index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->mark_values->len, NULL);

  return ((const MarkValue *) self->mark_values->pdata[index])->code;
}

/**
 * zh_policy_lookup_mark_value:
 * @code: a mark value code: "5" … "1", "pass", "fail", or one of the school's
 * @text: (out) (optional) (transfer none): how the journal shows it: «5», «зач»
 * @numeric: (out) (optional): whether it counts in the weighted average
 * @value: (out) (optional): its number, when numeric
 * @use: (out) (optional): where it may appear
 *
 * Finds a value of the school's mark scale.
 *
 * Returns: %TRUE when the value is on the scale
 */
gboolean
zh_policy_lookup_mark_value (const ZhPolicy *self,
                             const char     *code,
                             const char    **text,
                             gboolean       *numeric,
                             double         *value,
                             ZhMarkUse      *use)
{
  const MarkValue *m;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  m = find_mark_value (self, code);
  if (m == NULL)
    return FALSE;
  if (text != NULL)
    *text = text_get (&m->text);
  if (numeric != NULL)
    *numeric = m->numeric;
  if (value != NULL)
    *value = m->numeric ? m->value : 0.0;
  if (use != NULL)
    *use = m->use;
  return TRUE;
}

/* zh_policy_get_mark_text: how the journal shows the mark @code (NULL when not on the scale). */
const char *
zh_policy_get_mark_text (const ZhPolicy *self,
                         const char     *code)
{
  const char *text = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (code != NULL, NULL);

  zh_policy_lookup_mark_value (self, code, &text, NULL, NULL, NULL);
  return text;
}

/* zh_policy_get_attendance_text: the letter the journal shows for @code, «н»; NULL when the
 * school does not use the code. */
const char *
zh_policy_get_attendance_text (const ZhPolicy   *self,
                               ZhAttendanceCode  code)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail ((guint) code < N_ATTENDANCE_CODES, NULL);

  return text_get (&self->attendance[code]);
}

/* zh_policy_attendance_from_text: the attendance code the teacher means by typing @text («н»,
 * «Н», « оп »); FALSE when the school has no such letter. */
gboolean
zh_policy_attendance_from_text (const ZhPolicy   *self,
                                const char       *text,
                                ZhAttendanceCode *code)
{
  g_autofree char *typed = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  typed = normalize_code (text);
  for (guint i = 0; i < N_ATTENDANCE_CODES; i++)
    {
      const char *shown = text_get (&self->attendance[i]);
      g_autofree char *norm = shown != NULL ? normalize_code (shown) : NULL;

      if (norm != NULL && g_str_equal (norm, typed))
        {
          if (code != NULL)
            *code = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* The school's clock. */

/* The local time @minutes after the midnight that begins @date, @days_after days later. Built from
 * the calendar, not by adding seconds, so a day with a clock change still ends at 24:00. */
static GDateTime *
local_datetime (const ZhPolicy *self,
                const GDate    *date,
                guint           days_after,
                guint           minutes)
{
  GDate d = *date;

  g_date_add_days (&d, days_after + minutes / (24 * 60));
  minutes %= 24 * 60;
  return g_date_time_new (self->timezone, g_date_get_year (&d), g_date_get_month (&d),
                          g_date_get_day (&d), minutes / 60, minutes % 60, 0);
}

static gint64
local_time (const ZhPolicy *self,
            const GDate    *date,
            guint           days_after,
            guint           minutes)
{
  g_autoptr(GDateTime) t = local_datetime (self, date, days_after, minutes);

  return g_date_time_to_unix (t);
}

/* The last second of the day @days_after days after @date: "within N days" includes all of
 * day N. */
static gint64
end_of_day (const ZhPolicy *self,
            const GDate    *date,
            guint           days_after)
{
  return local_time (self, date, days_after + 1, 0) - 1;
}

/* zh_policy_local_date: the school's calendar date at the instant @time. */
void
zh_policy_local_date (const ZhPolicy *self,
                      gint64          time,
                      GDate          *date)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (date != NULL);

  utc = g_date_time_new_from_unix_utc (time);
  local = g_date_time_to_timezone (utc, self->timezone);
  g_date_clear (date, 1);
  g_date_set_dmy (date, g_date_time_get_day_of_month (local), g_date_time_get_month (local),
                  g_date_time_get_year (local));
}

static gboolean
check_date (const char  *str,
            GDate       *date,
            GError     **error)
{
  if (parse_date (str, date))
    return TRUE;
  g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_INVALID_REQUEST,
               _("“%s” is not a date of the form YYYY-MM-DD"), str != NULL ? str : "");
  return FALSE;
}

static gboolean
check_lesson_number (const ZhPolicy  *self,
                     int              number,
                     GError         **error)
{
  if (number >= 1 && (guint) number <= self->lesson_starts->len)
    return TRUE;
  g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_UNKNOWN_LESSON_NUMBER,
               _("The school's bell schedule has no lesson %d"), number);
  return FALSE;
}

static guint
lesson_start_minutes (const ZhPolicy *self,
                      int             number)
{
  return g_array_index (self->lesson_starts, guint, number - 1);
}

/**
 * zh_policy_lesson_start:
 * @date: the lesson's date, "YYYY-MM-DD"
 * @number: the lesson's number in the day, from 1
 *
 * When lesson @number of @date begins by the school's bell schedule and clock.
 *
 * Returns: (transfer full): the start in the school's time zone, or %NULL with @error set
 */
GDateTime *
zh_policy_lesson_start (const ZhPolicy  *self,
                        const char      *date,
                        int              number,
                        GError         **error)
{
  GDate d;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_date (date, &d, error) || !check_lesson_number (self, number, error))
    return NULL;
  return local_datetime (self, &d, 0, lesson_start_minutes (self, number));
}

/**
 * zh_policy_lesson_end:
 * @date: the lesson's date, "YYYY-MM-DD"
 * @number: the lesson's number in the day, from 1
 *
 * When lesson @number of @date ends (its start plus `lesson_minutes`).
 *
 * Returns: (transfer full): the end in the school's time zone, or %NULL with @error set
 */
GDateTime *
zh_policy_lesson_end (const ZhPolicy  *self,
                      const char      *date,
                      int              number,
                      GError         **error)
{
  GDate d;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_date (date, &d, error) || !check_lesson_number (self, number, error))
    return NULL;
  return local_datetime (self, &d, 0, lesson_start_minutes (self, number) + self->lesson_minutes);
}

/* Rules. */

/**
 * zh_policy_weighted_average:
 * @marks: (array length=n_marks): the student's marks of the period
 * @average: (out): Σ(value × weight) / Σ weight
 * @count: (out) (optional): how many marks went into it
 *
 * The weighted average of the active numeric marks (DESIGN.md §5, 002 §5.2): corrected marks and
 * pass/fail marks are left out; both halves of a double mark count. A mark's own weight is used;
 * one without (0) takes its work type's weight, or 1.
 *
 * Returns: %FALSE when no mark counts (then @average is 0)
 */
gboolean
zh_policy_weighted_average (const ZhPolicy  *self,
                            ZhMark         **marks,
                            guint            n_marks,
                            double          *average,
                            guint           *count)
{
  double sum = 0, weights = 0;
  guint used = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (marks != NULL || n_marks == 0, FALSE);
  g_return_val_if_fail (average != NULL, FALSE);

  for (guint i = 0; i < n_marks; i++)
    {
      const ZhMark *mark = marks[i];
      const MarkValue *mv;
      const WorkType *w;
      double weight;

      if (mark == NULL || mark->state != ZH_MARK_STATE_ACTIVE || mark->value == NULL)
        continue;
      mv = find_mark_value (self, mark->value);
      if (mv == NULL || !mv->numeric)
        continue;
      weight = mark->weight;
      if (!(weight > 0))
        {
          w = mark->work_type != NULL ? find_work_type (self, mark->work_type) : NULL;
          weight = w != NULL ? w->weight : 1.0;
        }
      sum += mv->value * weight;
      weights += weight;
      used++;
    }

  if (count != NULL)
    *count = used;
  *average = used > 0 ? sum / weights : 0.0;
  return used > 0;
}

/* zh_policy_suggest_period_mark: the period mark a weighted average suggests by the school's
 * rounding thresholds (≥ the "5" threshold → "5", …, below the "3" threshold → "2"). */
const char *
zh_policy_suggest_period_mark (const ZhPolicy *self,
                               double          average)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (average + AVERAGE_EPSILON >= self->rounding[0])
    return "5";
  if (average + AVERAGE_EPSILON >= self->rounding[1])
    return "4";
  if (average + AVERAGE_EPSILON >= self->rounding[2])
    return "3";
  return "2";
}

/* zh_policy_min_marks: the least number of current marks a period mark needs at @hours_per_week
 * (000 §7.2): the first row of `min_marks` whose hours reach @hours_per_week, else the last. */
guint
zh_policy_min_marks (const ZhPolicy *self,
                     double          hours_per_week)
{
  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < self->min_marks->len; i++)
    {
      const MinMarksRow *row = &g_array_index (self->min_marks, MinMarksRow, i);

      if (hours_per_week <= row->hours + AVERAGE_EPSILON)
        return row->marks;
    }
  return g_array_index (self->min_marks, MinMarksRow, self->min_marks->len - 1).marks;
}

/* zh_policy_check_enough_marks: fails with TOO_FEW_MARKS when @n_marks current marks are too few
 * for a period mark at @hours_per_week (000 §7.2); the remedy is a later deadline for the student,
 * never «н/а» (001 §5.7, 004 §5.3). */
gboolean
zh_policy_check_enough_marks (const ZhPolicy  *self,
                              double           hours_per_week,
                              guint            n_marks,
                              GError         **error)
{
  guint needed;

  g_return_val_if_fail (self != NULL, FALSE);

  needed = zh_policy_min_marks (self, hours_per_week);
  if (n_marks >= needed)
    return TRUE;
  g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_TOO_FEW_MARKS,
               ngettext ("The student has %u mark and a period mark needs at least %u: extend the "
                         "student's deadline to earn the marks; “not assessed” is not allowed",
                         "The student has %u marks and a period mark needs at least %u: extend the "
                         "student's deadline to earn the marks; “not assessed” is not allowed",
                         n_marks),
               n_marks, needed);
  return FALSE;
}

/* zh_policy_check_mark_value: whether @value is a mark of the school's scale allowed as a current
 * (or, with @period_mark, a period) mark. «освобождён» is never allowed (002 §5.2, 004 §5.3) and
 * «н/а» never as a period mark (004 §5.3). */
gboolean
zh_policy_check_mark_value (const ZhPolicy  *self,
                            const char      *value,
                            gboolean         period_mark,
                            GError         **error)
{
  const MarkValue *m;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (is_exempt (value))
    {
      g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_EXEMPT_FORBIDDEN,
                   _("“%s” may not be recorded in the journal: a student with a medical note is "
                     "assessed on the theory of the subject"), value);
      return FALSE;
    }
  if (period_mark && is_not_assessed (value))
    {
      g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_NOT_ASSESSED_FORBIDDEN,
                   _("“%s” may not be given as a period mark: when a student lacks marks, extend "
                     "the student's deadline instead"), value);
      return FALSE;
    }
  m = find_mark_value (self, value);
  if (m == NULL)
    {
      g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_UNKNOWN_MARK_VALUE,
                   _("“%s” is not a mark of this school's scale"), value);
      return FALSE;
    }
  if (!(m->use & (period_mark ? ZH_MARK_USE_PERIOD : ZH_MARK_USE_CURRENT)))
    {
      g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_MARK_VALUE_NOT_ALLOWED,
                   period_mark ? _("“%s” cannot be given as a period mark")
                               : _("“%s” cannot be given as a current mark"),
                   text_get (&m->text));
      return FALSE;
    }
  return TRUE;
}

/* zh_policy_check_attendance_code: whether @code (a ZhAttendanceCode nick, "absent") is one of the
 * school's attendance codes; sets @out_code. «освобождён» is not an attendance record either. */
gboolean
zh_policy_check_attendance_code (const ZhPolicy   *self,
                                 const char       *code,
                                 ZhAttendanceCode *out_code,
                                 GError          **error)
{
  int value;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (is_exempt (code))
    {
      g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_EXEMPT_FORBIDDEN,
                   _("“%s” may not be recorded in the journal: a student with a medical note is "
                     "assessed on the theory of the subject"), code);
      return FALSE;
    }
  if (!enum_value (ZH_TYPE_ATTENDANCE_CODE, code, &value) || self->attendance[value].text == NULL)
    {
      g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_UNKNOWN_ATTENDANCE_CODE,
                   _("“%s” is not an attendance code of this school"), code);
      return FALSE;
    }
  if (out_code != NULL)
    *out_code = value;
  return TRUE;
}

/* In grade 2 with `no_marks_grade2_first_half`, the first half-year runs to the end of December
 * after the year's start (the school year begins in September). */
static gboolean
in_grade2_first_half (const GDate *date,
                      const GDate *year_start)
{
  GDate second_half;

  g_date_clear (&second_half, 1);
  g_date_set_dmy (&second_half, 1, G_DATE_JANUARY, g_date_get_year (year_start) + 1);
  return g_date_compare (date, &second_half) < 0;
}

/* zh_policy_marks_allowed: whether marks (and homework) are given in @grade on @date: never in
 * the `no_marks_grades` (000 §3.11: grade 1), nor in grade 2's first half-year when
 * `no_marks_grade2_first_half` is on (004 §3.9). */
gboolean
zh_policy_marks_allowed (const ZhPolicy *self,
                         int             grade,
                         const GDate    *date,
                         const GDate    *year_start)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (grade >= 1 && grade <= N_GRADES, FALSE);
  g_return_val_if_fail (date != NULL && g_date_valid (date), FALSE);
  g_return_val_if_fail (year_start != NULL && g_date_valid (year_start), FALSE);

  if (self->no_marks[grade])
    return FALSE;
  if (grade == 2 && self->no_marks_grade2_first_half && in_grade2_first_half (date, year_start))
    return FALSE;
  return TRUE;
}

static gboolean
refuse (GError       **error,
        ZhPolicyError  code,
        const char    *format,
        ...) G_GNUC_PRINTF (3, 4);

static gboolean
refuse (GError       **error,
        ZhPolicyError  code,
        const char    *format,
        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, ZH_POLICY_ERROR, code, message);
  return FALSE;
}

static gboolean
check_marks_allowed (const ZhPolicy       *self,
                     const ZhEditRequest  *r,
                     const GDate          *date,
                     gboolean              homework,
                     GError              **error)
{
  GDate year_start;

  if (self->no_marks[r->grade])
    return refuse (error, homework ? ZH_POLICY_ERROR_HOMEWORK_NOT_ALLOWED
                                   : ZH_POLICY_ERROR_MARKS_NOT_ALLOWED,
                   homework ? _("Grade %d has no homework in the journal: only attendance and "
                                "lesson topics are recorded")
                            : _("Grade %d has no marks: only attendance and lesson topics are "
                                "recorded"),
                   r->grade);
  if (r->grade == 2 && self->no_marks_grade2_first_half)
    {
      if (!check_date (r->year_start, &year_start, error))
        return FALSE;
      if (in_grade2_first_half (date, &year_start))
        return refuse (error, homework ? ZH_POLICY_ERROR_HOMEWORK_NOT_ALLOWED
                                       : ZH_POLICY_ERROR_MARKS_NOT_ALLOWED,
                       "%s",
                       homework ? _("Grade 2 has no homework in the journal in the first "
                                    "half-year")
                                : _("Grade 2 has no marks in the first half-year"));
    }
  return TRUE;
}

/* The undo grace (our reading of 002 §5.2, which forbids deleting or changing a mark already
 * entered): a teacher who has just typed a wrong mark, and is still at it, may take it back or
 * replace it within `undo_seconds` of entering it. After that the mark stands and only a
 * correction under 002 §7 changes it. */
static gboolean
check_mark_unlocked (const ZhPolicy       *self,
                     const ZhEditRequest  *r,
                     gboolean              period_mark,
                     GError              **error)
{
  gint64 elapsed = r->now - r->mark_entered_at;

  if (r->own_mark && elapsed >= 0 && elapsed <= (gint64) self->undo_seconds)
    return TRUE;
  return refuse (error, ZH_POLICY_ERROR_MARK_LOCKED, "%s",
                 period_mark ? _("A period mark already given cannot be changed; it can only be "
                                 "corrected by the school administration on a document")
                             : _("A mark already entered cannot be changed or deleted, nor its "
                                 "comment; it can only be corrected by the school administration "
                                 "on a document"));
}

static gboolean
may_correct (const ZhPolicy       *self,
             const ZhEditRequest  *r,
             GError              **error)
{
  g_autofree char *document = NULL;

  /* 002 §7: by the people responsible for the learning process … */
  if (!zh_policy_role_may_correct (self, r->roles))
    return refuse (error, ZH_POLICY_ERROR_NOT_PERMITTED, "%s",
                   _("Marks are corrected only by the staff responsible for the learning "
                     "process"));
  /* … only for one of the five reasons … */
  if ((guint) r->correction_reason > ZH_CORRECTION_REASON_REATTESTATION)
    return refuse (error, ZH_POLICY_ERROR_CORRECTION_REASON, "%s",
                   _("A mark can be corrected only for one of the reasons the school's "
                     "regulation lists"));
  /* … and on a document (a statement, a protocol, the commission's decision). */
  document = g_strstrip (g_strdup (r->correction_document != NULL ? r->correction_document : ""));
  if (document[0] == '\0')
    return refuse (error, ZH_POLICY_ERROR_CORRECTION_DOCUMENT, "%s",
                   _("A correction needs the document that authorises it: give its number and "
                     "date"));
  return TRUE;
}

/**
 * zh_policy_may_edit:
 * @request: the edit and what is known about it
 *
 * Decides whether the user may make this edit now. The rules, with their clauses:
 *
 * - lesson entries (marks, absences, topic, homework, the lesson itself) are made by the group's
 *   teacher or the teacher substituting in the lesson (000 §3.5.2, §3.5.6; 001 §5.4); the
 *   administrator and the deputy director may also set a lesson's kind, number and substitution,
 *   as they arrange substitutions and the timetable (002 §5.4, §5.5);
 * - the reason of an absence («б», «у», «п») is set by the student's class teacher (002 §5.3,
 *   000 §4.3.3, 004 §4.3.6);
 * - a teacher changes nothing in a lesson more than `edit_window_days` after it (004 §3.6);
 * - no marks (and no homework) in the grades without marks (000 §3.11, 004 §3.9);
 * - no marks or absences for a lesson that has not yet taken place;
 * - homework is not added to a lesson already past — from the day after its date (002 §5.2);
 * - a mark already entered is neither changed nor deleted (002 §5.2), except within the undo grace
 *   by its author (see check_mark_unlocked);
 * - period marks are given by the group's teacher up to `period_marks_deadline_days` after the
 *   period (000 §4.2.4, §7.3); later only as a correction;
 * - corrections: by the roles of `correction_roles`, for a reason of 002 §7, on a document.
 *
 * Returns: %TRUE when allowed; else %FALSE with a ZH_POLICY_ERROR saying why
 */
gboolean
zh_policy_may_edit (const ZhPolicy       *self,
                    const ZhEditRequest  *request,
                    GError              **error)
{
  const ZhEditRequest *r = request;
  GDate date, today;
  gint64 days_since;
  gboolean teacher;
  g_autofree char *date_text = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (r->kind == ZH_EDIT_CORRECT_MARK)
    return may_correct (self, r, error);

  if (r->grade < 1 || r->grade > N_GRADES)
    return refuse (error, ZH_POLICY_ERROR_INVALID_REQUEST, _("Grade %d does not exist"), r->grade);
  if (!check_date (r->date, &date, error))
    return FALSE;
  zh_policy_local_date (self, r->now, &today);
  days_since = g_date_days_between (&date, &today);
  date_text = format_date (&date);

  if (r->kind == ZH_EDIT_SET_PERIOD_MARK)
    {
      /* By the group's own teacher (000 §4.2.4, 004 §4.4.6), not a substitute. */
      if (!(r->roles & ZH_ROLE_TEACHER) || !r->teaches_group)
        return refuse (error, (r->roles & ZH_ROLE_TEACHER) ? ZH_POLICY_ERROR_NOT_OWN_GROUP
                                                           : ZH_POLICY_ERROR_NOT_PERMITTED,
                       "%s", _("Period marks are given only by the teacher of the group"));
      if (!check_marks_allowed (self, r, &date, FALSE, error))
        return FALSE;
      if (days_since > (gint64) self->period_marks_deadline_days)
        return refuse (error, ZH_POLICY_ERROR_PERIOD_MARKS_CLOSED,
                       ngettext ("Period marks are given no later than %u day after the period "
                                 "ends (%s); now only the school administration can correct them",
                                 "Period marks are given no later than %u days after the period "
                                 "ends (%s); now only the school administration can correct them",
                                 self->period_marks_deadline_days),
                       self->period_marks_deadline_days, date_text);
      if (r->replaces_mark && !check_mark_unlocked (self, r, TRUE, error))
        return FALSE;
      return TRUE;
    }

  if (r->kind == ZH_EDIT_SET_ABSENCE_REASON)
    {
      if (!(r->roles & ZH_ROLE_CLASS_TEACHER) || !r->is_class_teacher_of_student)
        return refuse (error, ZH_POLICY_ERROR_NOT_OWN_CLASS, "%s",
                       _("The reason for an absence is set by the student's class teacher"));
    }
  else if (r->kind == ZH_EDIT_SET_LESSON && (r->roles & (ZH_ROLE_ADMIN | ZH_ROLE_DEPUTY)))
    {
      /* The administration arranges substitutions and the timetable at any time (002 §5.4). */
      return TRUE;
    }
  else
    {
      teacher = (r->roles & ZH_ROLE_TEACHER) != 0;
      if (!teacher)
        return refuse (error, ZH_POLICY_ERROR_NOT_PERMITTED, "%s",
                       _("Lessons, attendance and marks are recorded only by teachers"));
      if (!r->teaches_group && !r->substitutes_lesson)
        return refuse (error, ZH_POLICY_ERROR_NOT_OWN_GROUP, "%s",
                       _("You do not teach this group and do not substitute in this lesson"));
    }

  /* 004 §3.6: changes are allowed for at most `edit_window_days` days. */
  if (days_since > (gint64) self->edit_window_days)
    return refuse (error, ZH_POLICY_ERROR_EDIT_WINDOW_CLOSED,
                   ngettext ("The lesson of %s can no longer be changed: changes are allowed for "
                             "%u day after the lesson",
                             "The lesson of %s can no longer be changed: changes are allowed for "
                             "%u days after the lesson",
                             self->edit_window_days),
                   date_text, self->edit_window_days);

  switch (r->kind)
    {
    case ZH_EDIT_ADD_MARK:
      if (!check_marks_allowed (self, r, &date, FALSE, error))
        return FALSE;
      G_GNUC_FALLTHROUGH;
    case ZH_EDIT_SET_ABSENCE:
    case ZH_EDIT_SET_ABSENCE_REASON:
      if (days_since < 0)
        return refuse (error, ZH_POLICY_ERROR_LESSON_IN_FUTURE,
                       _("The lesson of %s has not taken place yet: marks and absences are "
                         "entered on the day of the lesson or later"), date_text);
      return TRUE;

    case ZH_EDIT_CHANGE_MARK:
    case ZH_EDIT_DELETE_MARK:
      return check_mark_unlocked (self, r, FALSE, error);

    case ZH_EDIT_SET_HOMEWORK:
      if (!check_marks_allowed (self, r, &date, TRUE, error))
        return FALSE;
      /* 002 §5.2 forbids adding homework to lessons already past; changing the text of homework
       * already given stays possible within the edit window. */
      if (!r->has_homework && days_since > 0)
        return refuse (error, ZH_POLICY_ERROR_HOMEWORK_PAST_LESSON,
                       _("Homework cannot be added to the lesson of %s: the lesson is already "
                         "past"), date_text);
      return TRUE;

    case ZH_EDIT_CLEAR_ABSENCE:
    case ZH_EDIT_SET_TOPIC:
    case ZH_EDIT_SET_LESSON:
      return TRUE;

    case ZH_EDIT_SET_PERIOD_MARK:
    case ZH_EDIT_CORRECT_MARK:
    default:
      g_return_val_if_reached (FALSE);
    }
}

/**
 * zh_policy_deadline:
 * @kind: the record
 * @lesson_date: the lesson's date, "YYYY-MM-DD"
 * @lesson_number: its number in the day
 * @deadline: (out): the last second (seconds since the epoch) at which entering is on time
 *
 * When a lesson's record is due, on the school's clock:
 * - topic and absences: on the lesson's day by `record_deadline` (000 §3.5.2, §4.2.1; 001 §5.4);
 *   a lesson ending after that time has until the end of its day;
 * - homework: `homework_deadline_minutes` after the lesson's end (000 §4.2.2); for a lesson
 *   number missing from the bell schedule, the end of the lesson's day (001 §5.5);
 * - marks: by the end of the `marks_deadline_days`th day after the lesson (000 §4.2.3, 001 §5.6).
 *
 * Returns: %FALSE with @error set when @lesson_date is not a date
 */
gboolean
zh_policy_deadline (const ZhPolicy  *self,
                    ZhRecordKind     kind,
                    const char      *lesson_date,
                    int              lesson_number,
                    gint64          *deadline,
                    GError         **error)
{
  GDate d;
  gboolean known;
  guint end = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (deadline != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_date (lesson_date, &d, error))
    return FALSE;
  known = lesson_number >= 1 && (guint) lesson_number <= self->lesson_starts->len;
  if (known)
    end = lesson_start_minutes (self, lesson_number) + self->lesson_minutes;

  switch (kind)
    {
    case ZH_RECORD_TOPIC:
    case ZH_RECORD_ABSENCE:
      if (known && end > self->record_deadline)
        *deadline = end_of_day (self, &d, 0);
      else
        *deadline = local_time (self, &d, 0, self->record_deadline);
      return TRUE;
    case ZH_RECORD_HOMEWORK:
      if (known)
        *deadline = local_time (self, &d, 0, end + self->homework_deadline_minutes);
      else
        *deadline = end_of_day (self, &d, 0);
      return TRUE;
    case ZH_RECORD_MARK:
      *deadline = end_of_day (self, &d, self->marks_deadline_days);
      return TRUE;
    default:
      g_return_val_if_reached (FALSE);
    }
}

static ZhDeadlineStatus
judge (gint64 deadline,
       gint64 entered_at,
       gint64 now)
{
  if (entered_at != 0)
    return entered_at <= deadline ? ZH_DEADLINE_ON_TIME : ZH_DEADLINE_LATE;
  return now > deadline ? ZH_DEADLINE_MISSING : ZH_DEADLINE_NOT_DUE;
}

/* zh_policy_deadline_status: whether a lesson's record was entered on time, judged by the time of
 * entry @entered_at (0: not entered), never by when the service received it (DESIGN.md §4). */
ZhDeadlineStatus
zh_policy_deadline_status (const ZhPolicy *self,
                           ZhRecordKind    kind,
                           const char     *lesson_date,
                           int             lesson_number,
                           gint64          entered_at,
                           gint64          now)
{
  gint64 deadline;

  g_return_val_if_fail (self != NULL, ZH_DEADLINE_NOT_DUE);
  g_return_val_if_fail (zh_policy_deadline (self, kind, lesson_date, lesson_number, &deadline,
                                            NULL),
                        ZH_DEADLINE_NOT_DUE);

  return judge (deadline, entered_at, now);
}

/* zh_policy_period_marks_deadline: the last second of the `period_marks_deadline_days`th day
 * after @period_end (000 §4.2.4, §7.3), or 0 when @period_end is not a date. */
gint64
zh_policy_period_marks_deadline (const ZhPolicy *self,
                                 const char     *period_end)
{
  GDate d;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (parse_date (period_end, &d), 0);

  return end_of_day (self, &d, self->period_marks_deadline_days);
}

/* zh_policy_period_marks_deadline_status: whether a period mark was given on time, judged by the
 * time of entry @entered_at (0: not given). */
ZhDeadlineStatus
zh_policy_period_marks_deadline_status (const ZhPolicy *self,
                                        const char     *period_end,
                                        gint64          entered_at,
                                        gint64          now)
{
  gint64 deadline;

  g_return_val_if_fail (self != NULL, ZH_DEADLINE_NOT_DUE);

  deadline = zh_policy_period_marks_deadline (self, period_end);
  g_return_val_if_fail (deadline != 0, ZH_DEADLINE_NOT_DUE);
  return judge (deadline, entered_at, now);
}
