/* zh-conflicts-dialog.h: ZhConflictsDialog — the edits of this computer that the service refused
 * or that conflict with its version, in words a teacher recognises, each with its way out
 * (docs/sync.md "Answers and what the user does"). */
#pragma once

#include <adwaita.h>

#include "zh-session.h"

G_BEGIN_DECLS

#define ZH_TYPE_CONFLICTS_DIALOG (zh_conflicts_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ZhConflictsDialog, zh_conflicts_dialog, ZH, CONFLICTS_DIALOG, AdwWindow)

ZhConflictsDialog *zh_conflicts_dialog_new     (GtkWindow         *parent,
                                                ZhSession         *session);
void               zh_conflicts_dialog_reload  (ZhConflictsDialog *self);

/* For the UI tests. */
guint              _zh_conflicts_dialog_get_n_items (ZhConflictsDialog *self);
const char        *_zh_conflicts_dialog_get_text    (ZhConflictsDialog *self,
                                                     guint              index);
void               _zh_conflicts_dialog_settle      (ZhConflictsDialog *self,
                                                     guint              index,
                                                     ZhResolution       resolution);
gboolean           _zh_conflicts_dialog_get_busy    (ZhConflictsDialog *self);

G_END_DECLS
