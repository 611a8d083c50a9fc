using Google.Protobuf;
using Kvasir.Api.Authpb;
using Kvasir.Api.Errors;
using Kvasir.Client.Tests.Support;

namespace Kvasir.Client.Tests.Contracts;

/// <summary>
/// Auth through the client: credentials, the token fetched on first use and fetched again when the
/// server drops it, users, roles and permissions. Each test turns auth on and off again, so the
/// class has its own server.
/// </summary>
public abstract class AuthContract(ServerFixture server)
{
    private const string RootPassword = "root-secret";

    protected ServerFixture Server { get; } = server;

    [ServerFact]
    public async Task Enabled_CredentialsWork_AnonymousAndWrongPasswordRefused()
    {
        await using var root = await EnableAuthAsync();
        try
        {
            var key = Keys.Unique("auth") + "k";
            await root.KV.PutAsync(key, "v");
            Assert.Equal("v", (await root.KV.GetAsync(key)).Kvs[0].Value.ToStringUtf8());

            var anonymous = await Server.StartAsync();
            var refused = await Assert.ThrowsAsync<EtcdException>(() => anonymous.KV.PutAsync(key, "w"));
            Assert.Same(EtcdErrors.UserEmpty, refused.Error);

            await using var wrong = Server.NewClient(o => With(o, "root", "not-the-password"));
            var failed = await Assert.ThrowsAsync<EtcdException>(() => wrong.KV.GetAsync(key));
            Assert.Same(EtcdErrors.AuthFailed, failed.Error);
            var connect = await Assert.ThrowsAsync<EtcdException>(() => EtcdClient.ConnectAsync(With(Options(), "root", "not-the-password")));
            Assert.Same(EtcdErrors.AuthFailed, connect.Error);
            Assert.Equal("v", (await root.KV.GetAsync(key)).Kvs[0].Value.ToStringUtf8());
        }
        finally
        {
            await root.Auth.DisableAsync();
        }
    }

    [ServerFact]
    public async Task TokenDropped_CallsAndWatchesFetchANewOne()
    {
        await using var root = await EnableAuthAsync();
        await using var relay = TcpRelay.Start(Server.Port);
        await using var user = new EtcdClient(With(new EtcdClientOptions { Endpoints = [relay.Endpoint] }, "root", RootPassword));
        try
        {
            var p = Keys.Unique("auth");
            await user.KV.PutAsync(p + "a", "1");
            var firstToken = user.Core.Token;
            Assert.NotNull(firstToken);
            await using var watch = await WatchReader.CreatedAsync(user.Watch, p, new WatchOptions { Prefix = true });

            // Turning auth off and on drops every token the server handed out.
            await root.Auth.DisableAsync();
            await root.Auth.EnableAsync();

            await user.KV.PutAsync(p + "b", "2");
            Assert.NotEqual(firstToken, user.Core.Token);

            // A new watch stream carries the old token of the stream it replaces: its create is refused, then retried with a fresh one.
            var secondToken = user.Core.Token;
            await root.Auth.DisableAsync();
            await root.Auth.EnableAsync();
            relay.DropAll();
            await root.KV.PutAsync(p + "c", "3");
            var events = await watch.EventsAsync(2);
            Assert.Equal(["2", "3"], events.Select(e => e.Kv.Value.ToStringUtf8()));
            Assert.NotEqual(secondToken, user.Core.Token);
        }
        finally
        {
            await root.Auth.DisableAsync();
        }
    }

    [ServerFact]
    public async Task UsersRolesPermissions_ManagedAndEnforced()
    {
        var admin = await Server.StartAsync();
        var p = Keys.Unique("auth");
        var user = "alice-" + Guid.NewGuid().ToString("N")[..8];
        var role = "reader-" + Guid.NewGuid().ToString("N")[..8];
        var prefix = ByteString.CopyFromUtf8(p);
        await admin.KV.PutAsync(p + "k", "v");
        await admin.Auth.UserAddAsync(user, "alice-pw");
        await admin.Auth.RoleAddAsync(role);
        await admin.Auth.RoleGrantPermissionAsync(role, Permission.Types.Type.Read, prefix, KeyRange.PrefixEnd(prefix));
        await admin.Auth.UserGrantRoleAsync(user, role);
        Assert.Equal([role], (await admin.Auth.UserGetAsync(user)).Roles);
        var perm = Assert.Single((await admin.Auth.RoleGetAsync(role)).Perm);
        Assert.Equal((Permission.Types.Type.Read, p), (perm.PermType, perm.Key.ToStringUtf8()));
        Assert.Contains(user, (await admin.Auth.UserListAsync()).Users);
        Assert.Contains(role, (await admin.Auth.RoleListAsync()).Roles);
        Assert.Same(EtcdErrors.UserAlreadyExist, (await Assert.ThrowsAsync<EtcdException>(() => admin.Auth.UserAddAsync(user, "x"))).Error);
        Assert.Same(EtcdErrors.RoleNotFound, (await Assert.ThrowsAsync<EtcdException>(() => admin.Auth.UserGrantRoleAsync(user, role + "-none"))).Error);

        await using (var root = await EnableAuthAsync())
        {
            try
            {
                await using var alice = Server.NewClient(o => With(o, user, "alice-pw"));
                Assert.Equal("v", (await alice.KV.GetAsync(p + "k")).Kvs[0].Value.ToStringUtf8());
                var denied = await Assert.ThrowsAsync<EtcdException>(() => alice.KV.PutAsync(p + "k", "w"));
                Assert.Same(EtcdErrors.PermissionDenied, denied.Error);
                Assert.Equal(Grpc.StatusCode.PermissionDenied, denied.StatusCode);
            }
            finally
            {
                await root.Auth.DisableAsync();
            }
        }

        await admin.Auth.RoleRevokePermissionAsync(role, prefix, KeyRange.PrefixEnd(prefix));
        Assert.Empty((await admin.Auth.RoleGetAsync(role)).Perm);
        await admin.Auth.UserRevokeRoleAsync(user, role);
        await admin.Auth.UserChangePasswordAsync(user, "new-pw");
        await admin.Auth.UserDeleteAsync(user);
        await admin.Auth.RoleDeleteAsync(role);
        Assert.Same(EtcdErrors.UserNotFound, (await Assert.ThrowsAsync<EtcdException>(() => admin.Auth.UserGetAsync(user))).Error);
        Assert.Equal("v", (await admin.KV.GetAsync(p + "k")).Kvs[0].Value.ToStringUtf8());
    }

    /// <summary>Makes sure the user root (role root) exists, turns auth on, and returns a client that authenticates as root.</summary>
    private async Task<EtcdClient> EnableAuthAsync()
    {
        var admin = await Server.StartAsync();
        if (!(await admin.Auth.UserListAsync()).Users.Contains("root"))
        {
            await admin.Auth.UserAddAsync("root", RootPassword);
            await admin.Auth.UserGrantRoleAsync("root", "root");
        }

        await admin.Auth.EnableAsync();
        return Server.NewClient(o => With(o, "root", RootPassword));
    }

    private EtcdClientOptions Options() => new() { Endpoints = [Server.Endpoint], DialTimeout = TimeSpan.FromSeconds(5), CommandTimeout = TimeSpan.FromSeconds(20) };

    private static EtcdClientOptions With(EtcdClientOptions options, string user, string password) => new()
    {
        Endpoints = options.Endpoints,
        DialTimeout = options.DialTimeout,
        CommandTimeout = options.CommandTimeout,
        Username = user,
        Password = password,
    };
}
