/* The system interface implemented with the Win32 API: one table, one context. */
#include <stdlib.h>

#include "win32/w32.h"

static const struct rdls_sys_ops win32_ops = {
	.user_get = w32_user_get,
	.user_add = w32_user_add,
	.user_del = w32_user_del,
	.group_get = w32_group_get,
	.group_add = w32_group_add,
	.group_del = w32_group_del,
	.member_get = w32_member_get,
	.member_add = w32_member_add,
	.member_del = w32_member_del,
	.account_lookup = w32_account_lookup,

	.reg_get = w32_reg_get,
	.reg_set = w32_reg_set,
	.reg_del = w32_reg_del,

	.cred_get = w32_cred_get,
	.cred_put = w32_cred_put,
	.cred_del = w32_cred_del,

	.ls_pub_get = w32_ls_pub_get,
	.ls_pub_set = w32_ls_pub_set,
	.ls_on_dc = w32_ls_on_dc,

	.host_name = w32_host_name,
	.os_info = w32_os_info,
	.is_elevated = w32_is_elevated,
	.lock_acquire = w32_lock_acquire,
	.lock_release = w32_lock_release,
	.random = w32_random,
	.env_secret = w32_env_secret,
	.prompt_secret = w32_prompt_secret,
	.journal_dir = w32_journal_dir,

	.file_open = w32_file_open,
	.file_sync = w32_file_sync,

	.name_resolve = w32_name_resolve,
	.tcp_probe = w32_tcp_probe,
	.ts_grace_days = w32_ts_grace_days,
	.ts_find_ls = w32_ts_find_ls,
	.ts_connectivity = w32_ts_connectivity,
	.ts_ping_ls = w32_ts_ping_ls,

	.reg_key_get = w32_reg_key_get,
	.reg_key_create = w32_reg_key_create,
	.reg_key_del = w32_reg_key_del,

	.service_exists = w32_service_exists,
	/* cred_persist_max: not asked yet (NULL): the policy value alone decides. */
	.pbkdf2_sha256 = w32_pbkdf2_sha256,
	.data_dir = w32_data_dir,
	.exe_dir = w32_exe_dir,
	.path_sec = w32_path_sec,
	.file_sec = w32_file_sec,
	.file_create_new = w32_file_create_new,
	.dir_create = w32_dir_create,
	.dir_list = w32_dir_list,
	.path_rename = w32_path_rename,
	.lock_owner = w32_lock_owner,
	.sha256 = w32_sha256,

	.gpo_dir = w32_gpo_dir,
	.file_read = w32_file_read,
	.file_write = w32_file_write,
	.file_delete = w32_file_delete,
	.gpo_domain_settings = w32_gpo_domain_settings,

	.user_set_password = w32_user_set_password,
	.process_user = w32_process_user,
	.event_register = w32_event_register,
	.event_write = w32_event_write,
	.ls_activation_get = w32_ls_activation_get,
	.ls_keypacks_get = w32_ls_keypacks_get,
	.ls_in_tsls_group = w32_ls_in_tsls_group,
	.ls_secgrp_gp = w32_ls_secgrp_gp,

	.pipe_probe = w32_pipe_probe,
	.ts_licensing = w32_ts_licensing,
	.ts_specified_ls = w32_ts_specified_ls,
	.clock_now = w32_clock_now,
	.env_get = w32_env_get,
	.process_kill = w32_process_kill,
	.event_query = w32_event_query,
};

/* ctx is NULL when out of memory; the caller checks. */
struct rdls_sys rdls_sys_win32_new(void)
{
	struct rdls_sys sys = { &win32_ops, calloc(1, sizeof(struct w32_ctx)) };
	return sys;
}

void rdls_sys_win32_free(struct rdls_sys *sys)
{
	if (!sys || !sys->ctx)
		return;
	struct w32_ctx *c = sys->ctx;
	/* The helper first: it may hold a pipe the rest does not care about. */
	w32_helper_shutdown(c);
	w32_wmi_release(c);
	w32_lock_release(c);
	free(c);
	sys->ctx = NULL;
}
