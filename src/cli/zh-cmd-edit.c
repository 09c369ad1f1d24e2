/* zh-cmd-edit.c: `zhurnalctl edit` — change the offline copy as a teacher would in the journal:
 * a mark, an absence, its reason, a lesson's topic or homework; and settle what the service
 * refused or what conflicts. Each edit is checked against the school's policy, kept at once (one
 * transaction with its outbox operation) and sent by the next `zhurnalctl sync`. */
#define G_LOG_DOMAIN "zhurnalctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "zh-cli.h"
#include "zh-cmds.h"

typedef struct
{
  ZhCliAccountOptions account;
  char    *lesson;
  char    *klass;
  char    *subject;
  char    *date;
  int      number;
  char    *student;
  char    *value;
  char    *work_type;
  char    *comment;
  char    *code;
  char    *reason;
  char    *text;
  char    *change;
  gboolean clear;
  gboolean keep_mine;
  gboolean take_theirs;
} EditOptions;

static void
edit_options_clear (EditOptions *o)
{
  zh_cli_account_options_clear (&o->account);
  g_free (o->lesson);
  g_free (o->klass);
  g_free (o->subject);
  g_free (o->date);
  g_free (o->student);
  g_free (o->value);
  g_free (o->work_type);
  g_free (o->comment);
  g_free (o->code);
  g_free (o->reason);
  g_free (o->text);
  g_free (o->change);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EditOptions, edit_options_clear)

static const char *const kinds[] = {
  "mark", "absence", "reason", "topic", "homework", "discard", "resolve", NULL
};

/* The one row of @sql (text parameters @params), or NULL with an error naming @what when there
 * is none or more than one. */
static char *
find_one (ZhStore            *store,
          const char         *sql,
          const char * const *params,
          const char         *what,
          GError            **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, sql, error);
  char *found = NULL;
  guint n = 0;
  int rc;

  if (stmt == NULL)
    return NULL;
  for (int i = 0; params[i] != NULL; i++)
    sqlite3_bind_text (stmt, i + 1, params[i], -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (n++ == 0)
      found = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      g_free (found);
      zh_store_set_error (store, rc, what, error);
      return NULL;
    }
  if (n == 1)
    return found;
  g_free (found);
  if (n == 0)
    g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_NOT_FOUND,
                 _("The offline copy has no %s like that; run “zhurnalctl sync” if it is new."), what);
  else
    g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_INVALID,
                 _("Several rows fit the %s given (%u); say more to pick one."), what, n);
  return NULL;
}

/* The lesson named by --lesson ID, or by --class, --subject, --date and --number. */
static char *
find_lesson (ZhOffline    *offline,
             EditOptions  *o,
             GError      **error)
{
  g_autofree char *number = NULL;

  if (o->lesson != NULL)
    return g_strdup (o->lesson);
  if (o->klass == NULL || o->subject == NULL || o->date == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("Name the lesson with --lesson ID, or with --class, --subject and "
                             "--date (and --number when there are several that day)."));
      return NULL;
    }
  number = g_strdup_printf ("%d", o->number);
  {
    const char *params[] = { o->klass, o->subject, o->date, number, NULL };

    return find_one (zh_offline_get_store (offline),
                     "SELECT l.id FROM lesson l "
                     "JOIN study_group g ON g.id = l.group_id "
                     "JOIN class c ON c.id = g.class_id "
                     "JOIN subject s ON s.id = g.subject_id "
                     "WHERE c.grade || c.letter = ?1 AND (s.name = ?2 OR s.short_name = ?2) "
                     "AND l.date = ?3 AND (?4 = '0' OR l.number = CAST (?4 AS INTEGER))",
                     params, _("lesson"), error);
  }
}

/* The student named by --student: an id, or "Last name" / "Last name First name" among the
 * members of the lesson's group on its date. */
static char *
find_student (ZhOffline    *offline,
              EditOptions  *o,
              const char   *lesson_id,
              GError      **error)
{
  const char *params[] = { lesson_id, o->student, NULL };

  if (o->student == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("Name the student with --student ID or --student “Last name "
                             "First name”."));
      return NULL;
    }
  if (zh_uuid_is_valid (o->student))
    return g_strdup (o->student);
  return find_one (zh_offline_get_store (offline),
                   "SELECT DISTINCT s.id FROM lesson l "
                   "JOIN group_member m ON m.group_id = l.group_id AND m.date_from <= l.date "
                   "  AND (m.date_to IS NULL OR m.date_to >= l.date) "
                   "JOIN student s ON s.id = m.student_id "
                   "WHERE l.id = ?1 AND (s.last_name = ?2 OR s.last_name || ' ' || s.first_name = ?2)",
                   params, _("student in the lesson’s group"), error);
}

static gboolean
parse_code (const char        *option,
            const char        *nick,
            ZhAttendanceCode  *code,
            GError           **error)
{
  int value = 0;

  if (!zh_enum_from_nick (ZH_TYPE_ATTENDANCE_CODE, nick, &value))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s: “%s” is not an attendance code (absent, late, ill, valid, invalid)."),
                   option, nick);
      return FALSE;
    }
  *code = value;
  return TRUE;
}

static int
run_edit (const char   *kind,
          EditOptions  *o,
          GError      **error)
{
  g_autoptr(ZhAccount) account = NULL;
  g_autoptr(ZhOffline) offline = NULL;
  g_autofree char *lesson = NULL;
  g_autofree char *student = NULL;
  g_autofree char *mark_id = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  ZhAttendanceCode code = ZH_ATTENDANCE_ABSENT;
  gboolean ok;
  guint waiting;

  account = zh_cli_get_account (&o->account, error);
  if (account == NULL || (offline = zh_account_open_offline (account, error)) == NULL)
    return ZH_CLI_FAILURE;

  if (g_str_equal (kind, "discard") || g_str_equal (kind, "resolve"))
    {
      if (o->change == NULL)
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                               _("Name the change with --change ID (“zhurnalctl status” lists them)."));
          return ZH_CLI_USAGE;
        }
      if (g_str_equal (kind, "discard"))
        ok = zh_offline_discard (offline, o->change, error);
      else if (o->keep_mine == o->take_theirs)
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                               _("Say how to settle the conflict: --keep-mine or --take-theirs."));
          return ZH_CLI_USAGE;
        }
      else
        ok = zh_offline_resolve (offline, o->change,
                                 o->keep_mine ? ZH_RESOLVE_KEEP_MINE : ZH_RESOLVE_TAKE_THEIRS, error);
      if (!ok)
        return ZH_CLI_FAILURE;
      printf ("%s\n", g_str_equal (kind, "discard") ? _("The change is dropped.")
                                                   : _("The conflict is settled."));
      return ZH_CLI_OK;
    }

  lesson = find_lesson (offline, o, error);
  if (lesson == NULL)
    return g_error_matches (*error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED) ? ZH_CLI_USAGE : ZH_CLI_FAILURE;

  if (g_str_equal (kind, "topic") || g_str_equal (kind, "homework"))
    {
      if (o->text == NULL)
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                               _("Give the text with --text TEXT (an empty text clears it)."));
          return ZH_CLI_USAGE;
        }
      ok = g_str_equal (kind, "topic") ? zh_offline_set_topic (offline, lesson, o->text, now, error)
                                       : zh_offline_set_homework (offline, lesson, o->text, now, error);
    }
  else
    {
      student = find_student (offline, o, lesson, error);
      if (student == NULL)
        return g_error_matches (*error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED) ? ZH_CLI_USAGE
                                                                               : ZH_CLI_FAILURE;
      if (g_str_equal (kind, "mark"))
        {
          if (o->value == NULL)
            {
              g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                                   _("Give the mark with --value (5, 4, 3, 2, 1, pass, fail…)."));
              return ZH_CLI_USAGE;
            }
          ok = zh_offline_add_mark (offline, lesson, student, o->value,
                                    o->work_type != NULL ? o->work_type : "answer", o->comment, now,
                                    &mark_id, error);
        }
      else if (g_str_equal (kind, "absence"))
        {
          if (o->code != NULL && !parse_code ("--code", o->code, &code, error))
            return ZH_CLI_USAGE;
          ok = o->clear ? zh_offline_clear_absence (offline, lesson, student, now, error)
                        : zh_offline_set_absence (offline, lesson, student, code, now, error);
        }
      else
        {
          if (o->reason == NULL)
            {
              g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                                   _("Give the reason with --reason ill, valid or invalid."));
              return ZH_CLI_USAGE;
            }
          if (!parse_code ("--reason", o->reason, &code, error))
            return ZH_CLI_USAGE;
          ok = zh_offline_set_absence_reason (offline, lesson, student, code, now, error);
        }
    }
  if (!ok)
    return ZH_CLI_FAILURE;

  if (mark_id != NULL)
    printf (_("Saved mark %s.\n"), mark_id);
  else
    printf ("%s\n", _("Saved."));
  waiting = zh_offline_count (offline, ZH_OUTBOX_PENDING);
  printf (ngettext ("%u change is waiting to be sent (“zhurnalctl sync” sends it).\n",
                    "%u changes are waiting to be sent (“zhurnalctl sync” sends them).\n", waiting),
          waiting);
  return ZH_CLI_OK;
}

/* zh_cmd_edit: `zhurnalctl edit KIND [OPTION…]`, KIND one of mark, absence, reason, topic,
 * homework, discard, resolve. */
int
zh_cmd_edit (int    argc,
             char **argv)
{
  g_auto(EditOptions) o = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (_("KIND"));
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "lesson", 0, 0, G_OPTION_ARG_STRING, &o.lesson, N_("The lesson’s id"), N_("ID") },
    { "class", 0, 0, G_OPTION_ARG_STRING, &o.klass, N_("The lesson’s class, as 5А"), N_("CLASS") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &o.subject, N_("The lesson’s subject, full or short name"),
      N_("SUBJECT") },
    { "date", 0, 0, G_OPTION_ARG_STRING, &o.date, N_("The lesson’s date"), N_("YYYY-MM-DD") },
    { "number", 0, 0, G_OPTION_ARG_INT, &o.number, N_("The lesson’s number in the day"), "N" },
    { "student", 0, 0, G_OPTION_ARG_STRING, &o.student,
      N_("The student: id, or last name (and first name) in the lesson’s group"), N_("STUDENT") },
    { "value", 0, 0, G_OPTION_ARG_STRING, &o.value, N_("mark: the mark (5, 4, … pass, fail)"),
      N_("VALUE") },
    { "work-type", 0, 0, G_OPTION_ARG_STRING, &o.work_type,
      N_("mark: the kind of work (default: answer)"), N_("CODE") },
    { "comment", 0, 0, G_OPTION_ARG_STRING, &o.comment, N_("mark: a comment"), N_("TEXT") },
    { "code", 0, 0, G_OPTION_ARG_STRING, &o.code, N_("absence: absent (default) or late"),
      N_("CODE") },
    { "clear", 0, 0, G_OPTION_ARG_NONE, &o.clear, N_("absence: remove the absence"), NULL },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &o.reason, N_("reason: ill, valid or invalid"),
      N_("REASON") },
    { "text", 0, 0, G_OPTION_ARG_STRING, &o.text, N_("topic, homework: the text"), N_("TEXT") },
    { "change", 0, 0, G_OPTION_ARG_STRING, &o.change, N_("discard, resolve: the change’s id"),
      N_("ID") },
    { "keep-mine", 0, 0, G_OPTION_ARG_NONE, &o.keep_mine, N_("resolve: send my version again"),
      NULL },
    { "take-theirs", 0, 0, G_OPTION_ARG_NONE, &o.take_theirs,
      N_("resolve: drop my change, keep the service’s"), NULL },
    { NULL }
  };
  const char *kind;
  int status;

  g_option_context_set_summary (context, _("Change the offline copy as in the journal. KIND is one "
                                           "of: mark, absence, reason, topic, homework; discard "
                                           "(drop a refused change), resolve (settle a conflict)."));
  zh_cli_add_account_options (context, &o.account);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_set_prgname ("zhurnalctl edit");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      zh_cli_print_usage_error ("edit", error->message);
      return ZH_CLI_USAGE;
    }
  if (argc != 2 || !g_strv_contains (kinds, argv[1]))
    {
      zh_cli_print_usage_error ("edit", argc < 2 ? _("Say what to change: mark, absence, reason, "
                                                     "topic, homework, discard or resolve.")
                                                 : _("Unknown kind of change, or too many arguments."));
      return ZH_CLI_USAGE;
    }
  kind = argv[1];

  status = run_edit (kind, &o, &error);
  if (status == ZH_CLI_USAGE)
    zh_cli_print_usage_error ("edit", error->message);
  else if (status != ZH_CLI_OK)
    zh_cli_print_error ("edit", error);
  return status;
}
