/* zh-offline.h: ZhOffline, the offline copy of one account (DESIGN.md §4; docs/sync.md).
 *
 * One SQLite file per service and login, $XDG_DATA_HOME/zhurnal/<host>_<port>/<login>/
 * offline.sqlite (folders 0700, file 0600, WAL), holding the rows of the school the service sends
 * in its changes feed, the sync cursor, the outbox of local edits and the shadow rows.
 *
 * A local edit is one transaction: the row changes and an operation joins the outbox. The school's
 * policy is checked first, from the data of the copy, so a teacher learns at once — offline too —
 * that an edit is not allowed; a refused edit changes nothing. Until the service has answered an
 * operation the copy shows the user's edit; the service's version of the row waits in the shadow
 * table (the display rule).
 */
#pragma once

#include <gio/gio.h>

#include "zh-client.h"
#include "zh-model.h"
#include "zh-store.h"

G_BEGIN_DECLS

#define ZH_OFFLINE_ERROR (zh_offline_error_quark ())
GQuark zh_offline_error_quark (void);

/* ZhOfflineError: why an offline-copy action failed (policy refusals are ZH_POLICY_ERROR). */
typedef enum
{
  ZH_OFFLINE_ERROR_PATH,          /* the folder of the copy cannot be made */
  ZH_OFFLINE_ERROR_NOT_SIGNED_IN, /* the copy knows no staff member: sign in and sync first */
  ZH_OFFLINE_ERROR_NOT_FOUND,     /* a row the edit needs is not in the copy */
  ZH_OFFLINE_ERROR_INVALID,       /* an argument is not valid (a date, a code) */
  ZH_OFFLINE_ERROR_STATE,         /* the operation is not in the state the action needs */
} ZhOfflineError;

/* The state of an operation in the outbox. */
typedef enum
{
  ZH_OUTBOX_PENDING,  /*< nick=pending >*/   /* waiting to be sent, or sent and not answered */
  ZH_OUTBOX_REJECTED, /*< nick=rejected >*/  /* the service refused it; the reason is kept */
  ZH_OUTBOX_CONFLICT, /*< nick=conflict >*/  /* the row changed on the service meanwhile */
} ZhOutboxState;

/* How the user settles a conflict. */
typedef enum
{
  ZH_RESOLVE_KEEP_MINE,   /*< nick=keep_mine >*/   /* send my row again, over the service's */
  ZH_RESOLVE_TAKE_THEIRS, /*< nick=take_theirs >*/ /* drop my edit, show the service's row */
} ZhResolution;

/* One operation of the outbox, as zh_offline_list_outbox returns it. */
typedef struct
{
  gint64              seq;
  char               *op_id;
  const ZhEntityInfo *info;
  char               *entity_id;
  ZhOpAction          action;
  char               *value;          /* the row as the user left it (JSON) */
  gint64              base_rev;
  gint64              entered_at;
  ZhOutboxState       state;
  char               *reason_code;    /* rejected: the service's code */
  char               *reason_message; /* rejected: the service's reason, for people */
  char               *server_value;   /* conflict: the service's row (JSON), NULL if deleted */
  gint64              attempts;       /* how many times it was sent */
  char               *correction;     /* correct: {"reason", "document"} (JSON), else NULL */
} ZhOutboxEntry;

void zh_outbox_entry_free (ZhOutboxEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhOutboxEntry, zh_outbox_entry_free)

#define ZH_TYPE_OFFLINE (zh_offline_get_type ())
G_DECLARE_FINAL_TYPE (ZhOffline, zh_offline, ZH, OFFLINE, GObject)

char       *zh_offline_build_path      (const char        *server_url,
                                        const char        *login,
                                        GError           **error);
ZhOffline  *zh_offline_open            (const char        *server_url,
                                        const char        *login,
                                        GError           **error);
ZhOffline  *zh_offline_open_path       (const char        *path,
                                        GError           **error);

ZhStore    *zh_offline_get_store       (ZhOffline         *self);
const char *zh_offline_get_path        (ZhOffline         *self);
char       *zh_offline_dup_server_url  (ZhOffline         *self);
char       *zh_offline_dup_login       (ZhOffline         *self);
char       *zh_offline_dup_staff_id    (ZhOffline         *self);
gint64      zh_offline_get_cursor      (ZhOffline         *self);
gboolean    zh_offline_set_account     (ZhOffline         *self,
                                        const char        *server_url,
                                        const ZhStaff     *staff,
                                        GError           **error);

/* Local edits: each one transaction with its outbox operation; @now is the time of entry. */
gboolean    zh_offline_add_mark        (ZhOffline         *self,
                                        const char        *lesson_id,
                                        const char        *student_id,
                                        const char        *value,
                                        const char        *work_type,
                                        const char        *comment,
                                        gint64             now,
                                        char             **mark_id,
                                        GError           **error);
gboolean    zh_offline_delete_mark     (ZhOffline         *self,
                                        const char        *mark_id,
                                        gint64             now,
                                        GError           **error);
gboolean    zh_offline_add_mark_part   (ZhOffline         *self,
                                        const char        *lesson_id,
                                        const char        *student_id,
                                        const char        *value,
                                        const char        *work_type,
                                        const char        *comment,
                                        int                part,
                                        gint64             now,
                                        char             **mark_id,
                                        GError           **error);
gboolean    zh_offline_change_mark     (ZhOffline         *self,
                                        const char        *mark_id,
                                        const char        *value,
                                        const char        *work_type,
                                        const char        *comment,
                                        gint64             now,
                                        GError           **error);
gboolean    zh_offline_correct_mark    (ZhOffline         *self,
                                        const char        *mark_id,
                                        const char        *value,
                                        ZhCorrectionReason reason,
                                        const char        *document,
                                        gint64             now,
                                        char             **new_mark_id,
                                        GError           **error);
gboolean    zh_offline_set_absence     (ZhOffline         *self,
                                        const char        *lesson_id,
                                        const char        *student_id,
                                        ZhAttendanceCode   code,
                                        gint64             now,
                                        GError           **error);
gboolean    zh_offline_clear_absence   (ZhOffline         *self,
                                        const char        *lesson_id,
                                        const char        *student_id,
                                        gint64             now,
                                        GError           **error);
gboolean    zh_offline_set_absence_reason (ZhOffline      *self,
                                           const char     *lesson_id,
                                           const char     *student_id,
                                           ZhAttendanceCode reason,
                                           gint64          now,
                                           GError        **error);
gboolean    zh_offline_take_back_absence_reason (ZhOffline        *self,
                                                 const char       *lesson_id,
                                                 const char       *student_id,
                                                 ZhAttendanceCode  reason,
                                                 ZhAttendanceCode  previous,
                                                 gint64            now,
                                                 GError          **error);
gboolean    zh_offline_set_topic       (ZhOffline         *self,
                                        const char        *lesson_id,
                                        const char        *topic,
                                        gint64             now,
                                        GError           **error);
gboolean    zh_offline_set_homework    (ZhOffline         *self,
                                        const char        *lesson_id,
                                        const char        *homework,
                                        gint64             now,
                                        GError           **error);
gboolean    zh_offline_add_lesson      (ZhOffline         *self,
                                        const char        *group_id,
                                        const char        *date,
                                        int                number,
                                        ZhLessonKind       kind,
                                        gint64             now,
                                        char             **lesson_id,
                                        GError           **error);
gboolean    zh_offline_set_period_mark (ZhOffline         *self,
                                        const char        *group_id,
                                        const char        *student_id,
                                        ZhPeriodMarkKind   kind,
                                        const char        *period_id,
                                        const char        *value,
                                        gint64             now,
                                        GError           **error);

/* The outbox. */
guint       zh_offline_count           (ZhOffline         *self,
                                        ZhOutboxState      state);
GPtrArray  *zh_offline_list_outbox     (ZhOffline         *self,
                                        ZhOutboxState      state,
                                        GError           **error);
gboolean    zh_offline_discard         (ZhOffline         *self,
                                        const char        *op_id,
                                        GError           **error);
gboolean    zh_offline_resolve         (ZhOffline         *self,
                                        const char        *op_id,
                                        ZhResolution       resolution,
                                        GError           **error);

G_END_DECLS
