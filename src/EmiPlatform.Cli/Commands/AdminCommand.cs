using System.CommandLine;
using System.Text.Json;
using EmiPlatform.Cli.Output;

namespace EmiPlatform.Cli.Commands;

/// <summary><c>emi admin tenants …</c> and <c>emi admin keys …</c>: the platform admin's API (needs the platform admin key).</summary>
internal static class AdminCommand
{
    public static Command Create(CliContext context)
    {
        var options = new ApiOptions();
        var admin = options.AddTo(new Command("admin", "Platform administration: tenants and their API keys (platform admin key)."));
        admin.Subcommands.Add(Tenants(context, options));
        admin.Subcommands.Add(Keys(context, options));
        return admin;
    }

    private static Command Tenants(CliContext context, ApiOptions options)
    {
        var tenants = new Command("tenants", "Create, list, suspend, resume and delete tenants (labs).");

        var name = new Argument<string>("name") { Description = "The tenant's (lab's) name." };
        var maxStorage = new Option<long?>("--max-storage-bytes") { Description = "Storage quota in bytes (default: unlimited)." };
        var maxRecordings = new Option<int?>("--max-recordings") { Description = "Recording quota (default: unlimited)." };
        var create = new Command("create", "Create a tenant; prints its first tenant-admin key (shown only once).") { name, maxStorage, maxRecordings };
        ApiAction.Set(create, context, options, async call =>
        {
            var created = await call.Client.PostAsync("v1/admin/tenants",
                new { name = call.Get(name), maxStorageBytes = call.Get(maxStorage), maxRecordings = call.Get(maxRecordings) }, call.Cancellation).ConfigureAwait(false);
            if (call.Output.IsJson)
            {
                call.Output.Json(created);
                return ExitCodes.Ok;
            }
            var tenant = created.GetProperty("tenant");
            call.Output.Table(Headers, [Row(tenant)]);
            call.Output.Line($"tenant admin key (shown only once, keep it safe): {created.GetProperty("adminKey").GetProperty("secret").GetString()}");
            return ExitCodes.Ok;
        });
        tenants.Subcommands.Add(create);

        var list = new Command("list", "List all tenants.");
        ApiAction.Set(list, context, options, async call =>
        {
            var rows = new List<JsonElement>();
            await foreach (var t in call.Client.ListAllAsync("v1/admin/tenants", call.Cancellation).ConfigureAwait(false))
            {
                rows.Add(t);
            }
            if (call.Output.IsJson)
            {
                call.Output.Json(rows);
            }
            else
            {
                call.Output.Table(Headers, rows.Select(Row));
            }
            return ExitCodes.Ok;
        });
        tenants.Subcommands.Add(list);

        tenants.Subcommands.Add(OneTenant(context, options, "get", "Show a tenant, its quotas and usage.", HttpMethod.Get, ""));
        tenants.Subcommands.Add(OneTenant(context, options, "suspend", "Suspend a tenant: its keys get 403 until it is resumed.", HttpMethod.Post, "/suspend"));
        tenants.Subcommands.Add(OneTenant(context, options, "resume", "Resume a suspended tenant.", HttpMethod.Post, "/resume"));

        var id = TenantId();
        var yes = Yes("tenant, with all its studies, participants, recordings and keys");
        var delete = new Command("delete", "Delete a tenant and everything it owns (rows and blobs). Needs --yes.") { id, yes };
        ApiAction.Set(delete, context, options, async call =>
        {
            RequireYes(call.Get(yes), "deleting a tenant erases all its data");
            await call.Client.DeleteAsync($"v1/admin/tenants/{call.Get(id)}", call.Cancellation).ConfigureAwait(false);
            Done(call, "deleted", call.Get(id));
            return ExitCodes.Ok;
        });
        tenants.Subcommands.Add(delete);
        return tenants;
    }

    private static Command OneTenant(CliContext context, ApiOptions options, string verb, string description, HttpMethod method, string suffix)
    {
        var id = TenantId();
        var command = new Command(verb, description) { id };
        ApiAction.Set(command, context, options, async call =>
        {
            var tenant = await call.Client.SendAsync(method, $"v1/admin/tenants/{call.Get(id)}{suffix}", null, call.Cancellation).ConfigureAwait(false);
            if (call.Output.IsJson)
            {
                call.Output.Json(tenant);
            }
            else
            {
                call.Output.Record(tenant);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Keys(CliContext context, ApiOptions options)
    {
        var keys = new Command("keys", "Create, list and revoke a tenant's API keys.");
        var tenant = new Option<Guid>("--tenant", "-t") { Description = "Tenant id.", Required = true };

        var name = new Option<string>("--name") { Description = "What the key is for, e.g. 'lab upload PC'.", Required = true };
        var role = new Option<string>("--role") { Description = "tenant_admin | uploader | analyst.", Required = true };
        role.AcceptOnlyFromAmong("tenant_admin", "uploader", "analyst");
        var create = new Command("create", "Create a key for a tenant; prints the key (shown only once).") { tenant, name, role };
        ApiAction.Set(create, context, options, async call =>
        {
            var created = await call.Client.PostAsync($"v1/admin/tenants/{call.Get(tenant)}/keys",
                new { name = call.Get(name), role = call.Get(role) }, call.Cancellation).ConfigureAwait(false);
            if (call.Output.IsJson)
            {
                call.Output.Json(created);
                return ExitCodes.Ok;
            }
            call.Output.Table(KeyHeaders, [KeyRow(created.GetProperty("key"))]);
            call.Output.Line($"key (shown only once, keep it safe): {created.GetProperty("secret").GetString()}");
            return ExitCodes.Ok;
        });
        keys.Subcommands.Add(create);

        var list = new Command("list", "List a tenant's keys (never their secrets).") { tenant };
        ApiAction.Set(list, context, options, async call =>
        {
            var all = await call.Client.GetAsync($"v1/admin/tenants/{call.Get(tenant)}/keys", call.Cancellation).ConfigureAwait(false);
            if (call.Output.IsJson)
            {
                call.Output.Json(all);
            }
            else
            {
                call.Output.Table(KeyHeaders, all.EnumerateArray().Select(KeyRow));
            }
            return ExitCodes.Ok;
        });
        keys.Subcommands.Add(list);

        var keyId = new Argument<Guid>("key-id") { Description = "The key's id (from `emi admin keys list`)." };
        var revoke = new Command("revoke", "Revoke a key; it stops working on the next request.") { tenant, keyId };
        ApiAction.Set(revoke, context, options, async call =>
        {
            await call.Client.PostAsync($"v1/admin/tenants/{call.Get(tenant)}/keys/{call.Get(keyId)}/revoke", null, call.Cancellation).ConfigureAwait(false);
            Done(call, "revoked", call.Get(keyId));
            return ExitCodes.Ok;
        });
        keys.Subcommands.Add(revoke);
        return keys;
    }

    private static readonly string[] Headers = ["id", "name", "status", "recordings", "storage", "created"];

    private static string?[] Row(JsonElement t) =>
    [
        JsonText.Get(t, "id"), JsonText.Get(t, "name"), JsonText.Get(t, "status"),
        $"{JsonText.Get(t, "usedRecordings")} / {Quota(JsonText.Get(t, "maxRecordings"))}",
        $"{JsonText.Bytes(t.GetProperty("usedStorageBytes").GetInt64())} / {(t.GetProperty("maxStorageBytes") is { ValueKind: JsonValueKind.Number } max ? JsonText.Bytes(max.GetInt64()) : "unlimited")}",
        JsonText.Get(t, "createdAt"),
    ];

    private static readonly string[] KeyHeaders = ["id", "name", "role", "prefix", "created", "revoked", "last used"];

    private static string?[] KeyRow(JsonElement k) =>
    [
        JsonText.Get(k, "id"), JsonText.Get(k, "name"), JsonText.Get(k, "role"), JsonText.Get(k, "prefix"),
        JsonText.Get(k, "createdAt"), JsonText.Get(k, "revokedAt"), JsonText.Get(k, "lastUsedAt"),
    ];

    private static string Quota(string? value) => string.IsNullOrEmpty(value) ? "unlimited" : value;

    private static Argument<Guid> TenantId() => new("tenant-id") { Description = "The tenant's id (from `emi admin tenants list`)." };

    internal static Option<bool> Yes(string what) => new("--yes", "-y") { Description = $"Confirm: this deletes the {what}." };

    internal static void RequireYes(bool yes, string why)
    {
        if (!yes)
        {
            throw new UsageException($"{why}; add --yes to confirm.");
        }
    }

    internal static void Done(ApiCall call, string what, Guid id)
    {
        if (call.Output.IsJson)
        {
            call.Output.Json(new { id, result = what });
        }
        else
        {
            call.Output.Line($"{what} {id}");
        }
    }
}
