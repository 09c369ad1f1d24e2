/* zh-correction-dialog.h: ZhCorrectionDialog — a deputy's correction of a mark: the new mark, one
 * of the five legal reasons and the authorising document (002 §7, REQUIREMENTS §4). */
#pragma once

#include <adwaita.h>

#include "zh-journal.h"

G_BEGIN_DECLS

#define ZH_TYPE_CORRECTION_DIALOG (zh_correction_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ZhCorrectionDialog, zh_correction_dialog, ZH, CORRECTION_DIALOG, AdwWindow)

ZhCorrectionDialog *zh_correction_dialog_new        (GtkWindow           *parent,
                                                     ZhPolicy            *policy,
                                                     const char          *title,
                                                     const ZhJournalMark *mark);
const char         *zh_correction_dialog_get_mark_id  (ZhCorrectionDialog *self);
const char         *zh_correction_dialog_get_value    (ZhCorrectionDialog *self);
ZhCorrectionReason  zh_correction_dialog_get_reason   (ZhCorrectionDialog *self);
const char         *zh_correction_dialog_get_document (ZhCorrectionDialog *self);
void                zh_correction_dialog_set_error    (ZhCorrectionDialog *self,
                                                       const char         *message);
const char         *zh_correction_dialog_get_error    (ZhCorrectionDialog *self);
void                _zh_correction_dialog_fill        (ZhCorrectionDialog *self,
                                                       const char         *value,
                                                       ZhCorrectionReason  reason,
                                                       const char         *document);

G_END_DECLS
