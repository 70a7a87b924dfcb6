/*
 * Inside the report module (src/report*.c): the envelope's JSON and the pieces the
 * plan, apply and rollback renderings share. Not a public header.
 */
#ifndef RDLS_REPORT_INT_H
#define RDLS_REPORT_INT_H

#include "rdls/json.h"
#include "rdls/report.h"

#define ARROW "\xe2\x86\x92" /* U+2192 */

/* Opens the document of e on o->out: format_version, command, tool_version, host, profile. */
void report_json_open(struct rdls_json *j, const struct rdls_opts *o,
		      const struct rdls_report_env *e);
/* Writes e's "errors", "warnings" and "exit_code", and ends the document. */
void report_json_close(struct rdls_json *j, const struct rdls_report_env *e);

char report_sign_of(enum rdls_action a);
/* The action that undoes `a`: a created thing is removed, a removed one comes back. */
enum rdls_action report_inverse(enum rdls_action a);
/* The action a step had, reconstructed from its states (journal records have none). */
enum rdls_action report_action_of(const struct rdls_step *s);
const char *report_result_word(enum rdls_result r);
/* "<sign> <object>  (<from> → <to>)[  tail]" on f. */
void report_step_line(const struct rdls_opts *o, FILE *f, char sign, const struct rdls_step *s,
		      const struct rdls_state *from, const struct rdls_state *to, const char *tail);
/* {"kind","object","action","before","after"[,"note"]} without the closing brace. */
void report_json_step_open(struct rdls_json *j, const struct rdls_step *s, enum rdls_action a,
			   const struct rdls_state *before, const struct rdls_state *after);
void report_json_state(struct rdls_json *j, const char *key, const struct rdls_step *s,
		       const struct rdls_state *st);

#endif
