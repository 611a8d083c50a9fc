using Google.Protobuf;
using Kvasir.Api.Authpb;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Client.Internal;

namespace Kvasir.Client;

/// <summary>
/// etcd's Auth service: enabling auth, users, roles and permissions, and authentication. The client
/// authenticates by itself when <see cref="EtcdClientOptions.Username"/> is set (and again when the
/// server says the token is invalid); <see cref="AuthenticateAsync"/> is for callers who manage tokens.
/// </summary>
public sealed class AuthClient
{
    private readonly CallInvoker _invoker;

    internal AuthClient(CallInvoker invoker)
    {
        _invoker = invoker;
    }

    /// <summary>Checks a user name and password and returns a token for the <c>token</c> metadata of later calls.</summary>
    public Task<AuthenticateResponse> AuthenticateAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(password);
        return _invoker.UnaryAsync(EtcdMethods.Authenticate, new AuthenticateRequest { Name = name, Password = password }, idempotent: true, cancellationToken);
    }

    /// <summary>Turns auth on; the user <c>root</c> with the role <c>root</c> must exist.</summary>
    public Task<AuthEnableResponse> EnableAsync(CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.AuthEnable, new AuthEnableRequest(), idempotent: false, cancellationToken);

    public Task<AuthDisableResponse> DisableAsync(CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.AuthDisable, new AuthDisableRequest(), idempotent: false, cancellationToken);

    /// <summary>Adds a user; with <paramref name="noPassword"/> (etcd 3.4+) the user can only authenticate by client certificate.</summary>
    public Task<AuthUserAddResponse> UserAddAsync(string name, string password, bool noPassword = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(password);
        var request = new AuthUserAddRequest { Name = name, Password = password, Options = new UserAddOptions { NoPassword = noPassword } };
        return _invoker.UnaryAsync(EtcdMethods.UserAdd, request, idempotent: false, cancellationToken);
    }

    public Task<AuthUserGetResponse> UserGetAsync(string name, CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.UserGet, new AuthUserGetRequest { Name = name ?? throw new ArgumentNullException(nameof(name)) }, idempotent: true, cancellationToken);

    public Task<AuthUserListResponse> UserListAsync(CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.UserList, new AuthUserListRequest(), idempotent: true, cancellationToken);

    public Task<AuthUserDeleteResponse> UserDeleteAsync(string name, CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.UserDelete, new AuthUserDeleteRequest { Name = name ?? throw new ArgumentNullException(nameof(name)) }, idempotent: false, cancellationToken);

    public Task<AuthUserChangePasswordResponse> UserChangePasswordAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(password);
        return _invoker.UnaryAsync(EtcdMethods.UserChangePassword, new AuthUserChangePasswordRequest { Name = name, Password = password }, idempotent: false, cancellationToken);
    }

    public Task<AuthUserGrantRoleResponse> UserGrantRoleAsync(string user, string role, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(role);
        return _invoker.UnaryAsync(EtcdMethods.UserGrantRole, new AuthUserGrantRoleRequest { User = user, Role = role }, idempotent: false, cancellationToken);
    }

    public Task<AuthUserRevokeRoleResponse> UserRevokeRoleAsync(string user, string role, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(role);
        return _invoker.UnaryAsync(EtcdMethods.UserRevokeRole, new AuthUserRevokeRoleRequest { Name = user, Role = role }, idempotent: false, cancellationToken);
    }

    public Task<AuthRoleAddResponse> RoleAddAsync(string name, CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.RoleAdd, new AuthRoleAddRequest { Name = name ?? throw new ArgumentNullException(nameof(name)) }, idempotent: false, cancellationToken);

    public Task<AuthRoleGetResponse> RoleGetAsync(string name, CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.RoleGet, new AuthRoleGetRequest { Role = name ?? throw new ArgumentNullException(nameof(name)) }, idempotent: true, cancellationToken);

    public Task<AuthRoleListResponse> RoleListAsync(CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.RoleList, new AuthRoleListRequest(), idempotent: true, cancellationToken);

    public Task<AuthRoleDeleteResponse> RoleDeleteAsync(string name, CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.RoleDelete, new AuthRoleDeleteRequest { Role = name ?? throw new ArgumentNullException(nameof(name)) }, idempotent: false, cancellationToken);

    /// <summary>Grants <paramref name="role"/> access of <paramref name="type"/> to [key, rangeEnd) (the key alone when
    /// <paramref name="rangeEnd"/> is null; use <see cref="KeyRange.PrefixEnd"/> for a prefix).</summary>
    public Task<AuthRoleGrantPermissionResponse> RoleGrantPermissionAsync(string role, Permission.Types.Type type, ByteString key, ByteString? rangeEnd = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(key);
        var request = new AuthRoleGrantPermissionRequest
        {
            Name = role,
            Perm = new Permission { PermType = type, Key = key, RangeEnd = rangeEnd ?? ByteString.Empty },
        };
        return _invoker.UnaryAsync(EtcdMethods.RoleGrantPermission, request, idempotent: false, cancellationToken);
    }

    public Task<AuthRoleRevokePermissionResponse> RoleRevokePermissionAsync(string role, ByteString key, ByteString? rangeEnd = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(key);
        var request = new AuthRoleRevokePermissionRequest { Role = role, Key = key, RangeEnd = rangeEnd ?? ByteString.Empty };
        return _invoker.UnaryAsync(EtcdMethods.RoleRevokePermission, request, idempotent: false, cancellationToken);
    }
}
