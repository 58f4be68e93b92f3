package auth_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fundhub"
	"fundhub/auth"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

const password = "a long enough passphrase"

// newService returns a service over a fresh database holding one user,
// county official "li" of 西湖区, and the buffer its logs go to.
func newService(t *testing.T) (*auth.Service, *postgres.DB, *bytes.Buffer) {
	t.Helper()
	db := pgtest.New(t)
	var logs bytes.Buffer
	s := auth.New(db, slog.New(slog.NewTextHandler(&logs, nil)))
	s.Cost = bcrypt.MinCost

	_, err := s.CreateUser(context.Background(), fundhub.NewUser{Username: "li",
		DisplayName: "李明", UnitRegion: "330106", UnitName: "杭州市西湖区财政局",
		UnitKind: fundhub.DepartmentFinance, Roles: []string{"finance"},
		Password: password}, nil)
	if err != nil {
		t.Fatal(err)
	}

	return s, db, &logs
}

func auditCount(t *testing.T, db *postgres.DB, action string) int {
	t.Helper()
	var n int
	pgtest.Get(t, db, &n, `SELECT count(*) FROM audit_log WHERE action = $1`, action)

	return n
}

func TestLogin_Outcomes(t *testing.T) {
	tests := []struct {
		name, user, password string
		wantCode, wantAudit  string
	}{
		{"right password", "li", password, "", "login.success"},
		{"wrong password", "li", "not the passphrase", fundhub.EUNAUTHENTICATED,
			"login.failure"},
		{"unknown user", "nobody", password, fundhub.EUNAUTHENTICATED, "login.failure"},
		{"password past bcrypt's limit", "li", strings.Repeat("x", 100),
			fundhub.EUNAUTHENTICATED, "login.failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, db, _ := newService(t)
			ctx := context.Background()

			sess, err := s.Login(ctx, tt.user, tt.password, "127.0.0.1:1")
			if got := fundhub.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code: got %q (%v), want %q", got, err, tt.wantCode)
			}
			if n := auditCount(t, db, tt.wantAudit); n != 1 {
				t.Errorf("audit records %s: got %d, want 1", tt.wantAudit, n)
			}
			if err != nil {
				return
			}

			c, err := s.Authenticate(ctx, sess.Token)
			if err != nil || c.Username != "li" || c.RegionCode != "330106" {
				t.Errorf("authenticate: got %+v, %v; want li at 330106", c, err)
			}
		})
	}
}

func TestLogin_WrongUserAndWrongPasswordLookAlike(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()

	_, errUser := s.Login(ctx, "nobody", password, "x")
	_, errPass := s.Login(ctx, "li", "wrong wrong wrong", "x")
	if errUser.Error() != errPass.Error() {
		t.Errorf("answers differ: %q and %q", errUser, errPass)
	}
}

func TestLogin_RepeatedFailuresLockTheAccount(t *testing.T) {
	s, db, _ := newService(t)
	ctx := context.Background()

	for i := range auth.LockAfter {
		if _, err := s.Login(ctx, "li", "guess guess guess", "x"); fundhub.ErrorCode(err) !=
			fundhub.EUNAUTHENTICATED {
			t.Fatalf("guess %d: got %v, want UNAUTHENTICATED", i+1, err)
		}
	}

	// Locked: even the right password is refused, without being checked.
	_, err := s.Login(ctx, "li", password, "x")
	if fundhub.ErrorCode(err) != fundhub.ETOOMANY {
		t.Fatalf("after %d failures: got %v, want TOO_MANY_ATTEMPTS", auth.LockAfter, err)
	}
	if n := auditCount(t, db, "login.locked"); n != 1 {
		t.Errorf("login.locked records: got %d, want 1", n)
	}

	// Once the lock has passed, the right password works and clears the count.
	s.Now = func() time.Time { return time.Now().Add(auth.LockMax + time.Minute) }
	if _, err := s.Login(ctx, "li", password, "x"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	var counted int
	pgtest.Get(t, db, &counted, `SELECT count(*) FROM login_attempts`)
	if counted != 0 {
		t.Errorf("attempts still counted after a success: %d rows, want none", counted)
	}
}

func TestLogin_LockDoublesWithEachFurtherFailure(t *testing.T) {
	s, db, _ := newService(t)
	ctx := context.Background()
	locks := map[int]float64{}

	for i := 1; i <= auth.LockAfter+2; i++ {
		// Step past any lock so every guess is checked and counted.
		s.Now = func() time.Time { return time.Now().Add(time.Duration(i) * time.Hour) }
		_, _ = s.Login(ctx, "li", "guess guess guess", "x")
		var secs *float64
		pgtest.Get(t, db, &secs, `SELECT extract(epoch FROM locked_until - last_at)::float8
			FROM login_attempts`)
		if secs != nil {
			locks[i] = *secs
		}
	}

	if _, ok := locks[auth.LockAfter-1]; ok {
		t.Errorf("locked before %d failures: %v", auth.LockAfter, locks)
	}
	first, second := locks[auth.LockAfter], locks[auth.LockAfter+1]
	if first < auth.LockBase.Seconds()*0.9 || second < first*1.8 {
		t.Errorf("locks by failure: %v; want %s, then doubling", locks, auth.LockBase)
	}
}

func TestTokens_ExpireAndRevokeAtOnce(t *testing.T) {
	s, db, _ := newService(t)
	ctx := context.Background()
	var uid int64
	pgtest.Get(t, db, &uid, `SELECT id FROM users WHERE username = 'li'`)

	// A login made 13 hours ago has expired.
	s.Now = func() time.Time { return time.Now().Add(-13 * time.Hour) }
	old, err := s.Login(ctx, "li", password, "x")
	if err != nil {
		t.Fatal(err)
	}
	s.Now = time.Now
	if _, err := s.Authenticate(ctx, old.Token); fundhub.ErrorCode(err) !=
		fundhub.EUNAUTHENTICATED {
		t.Errorf("expired login token: got %v, want UNAUTHENTICATED", err)
	}

	api, err := s.CreateAPIToken(ctx, uid, "dashboard", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, api.Token); err != nil {
		t.Fatalf("fresh API token: %v", err)
	}
	if _, err := s.RevokeToken(ctx, api.Record.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, api.Token); fundhub.ErrorCode(err) !=
		fundhub.EUNAUTHENTICATED {
		t.Errorf("revoked API token: got %v, want UNAUTHENTICATED", err)
	}
}

func TestTokens_DisabledUserIsRefused(t *testing.T) {
	s, db, _ := newService(t)
	ctx := context.Background()
	sess, err := s.Login(ctx, "li", password, "x")
	if err != nil {
		t.Fatal(err)
	}

	if _, err := db.SQL().Exec(`UPDATE users SET disabled = true`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, sess.Token); fundhub.ErrorCode(err) !=
		fundhub.EUNAUTHENTICATED {
		t.Errorf("token of a disabled user: got %v, want UNAUTHENTICATED", err)
	}
	if _, err := s.Login(ctx, "li", password, "x"); fundhub.ErrorCode(err) !=
		fundhub.EUNAUTHENTICATED {
		t.Errorf("login of a disabled user: got %v, want UNAUTHENTICATED", err)
	}
}

func TestTokens_MalformedOrUnknownAreRefused(t *testing.T) {
	s, _, _ := newService(t)
	for _, raw := range []string{"", "abc", "fhs_" + strings.Repeat("A", 43),
		"fha_" + strings.Repeat("-", 43), "fhs_short"} {
		if _, err := s.Authenticate(context.Background(), raw); fundhub.ErrorCode(err) !=
			fundhub.EUNAUTHENTICATED {
			t.Errorf("%q: got %v, want UNAUTHENTICATED", raw, err)
		}
	}
}

func TestCreateUser_RefusesBadInput(t *testing.T) {
	good := fundhub.NewUser{Username: "wang", DisplayName: "王", UnitRegion: "330106",
		UnitName: "杭州市西湖区财政局", Roles: []string{"finance"}, Password: password}
	tests := []struct {
		name   string
		change func(*fundhub.NewUser)
		field  string
	}{
		{"short password", func(u *fundhub.NewUser) { u.Password = "short" }, "password"},
		{"upper-case username", func(u *fundhub.NewUser) { u.Username = "Wang" }, "username"},
		{"no role", func(u *fundhub.NewUser) { u.Roles = nil }, "roles"},
		{"unknown role", func(u *fundhub.NewUser) { u.Roles = []string{"finanse"} }, "roles"},
		{"unknown unit, no kind", func(u *fundhub.NewUser) { u.UnitName = "不存在" }, "unit"},
		{"unknown region", func(u *fundhub.NewUser) {
			u.UnitRegion, u.UnitKind = "999999", fundhub.DepartmentFinance
		}, "region"},
		{"taken username", func(u *fundhub.NewUser) { u.Username = "li" }, "username"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, db, _ := newService(t)
			u := good
			tt.change(&u)

			_, err := s.CreateUser(context.Background(), u, nil)
			if got := fundhub.ErrorField(err); got != tt.field {
				t.Errorf("field: got %q (%v), want %q", got, err, tt.field)
			}
			var n int
			pgtest.Get(t, db, &n, `SELECT count(*) FROM users`)
			if n != 1 {
				t.Errorf("users: got %d, want only the first", n)
			}
		})
	}
}

func TestSecrets_NeverReachLogsOrAudit(t *testing.T) {
	s, db, logs := newService(t)
	ctx := context.Background()
	_, _ = s.Login(ctx, "li", "wrong guess here", "x")
	// A password typed into the username field.
	_, _ = s.Login(ctx, "TypedIntoTheNameField!", "x", "x")
	sess, err := s.Login(ctx, "li", password, "x")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Authenticate(ctx, sess.Token)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Used(ctx, c, "query {me}"); err != nil {
		t.Fatal(err)
	}
	if err := s.Logout(ctx, c); err != nil {
		t.Fatal(err)
	}

	var audit string
	pgtest.Get(t, db, &audit, `SELECT string_agg(to_jsonb(a)::text, E'\n') FROM audit_log a`)
	var attempts string
	pgtest.Get(t, db, &attempts, `SELECT COALESCE(string_agg(username, ','), '')
		FROM login_attempts`)
	audit += attempts
	for _, secret := range []string{password, "wrong guess here", sess.Token,
		"typedintothenamefield!", "TypedIntoTheNameField!"} {
		if strings.Contains(logs.String(), secret) || strings.Contains(audit, secret) {
			t.Errorf("%q appears in the logs or the audit log", secret)
		}
	}
	if !strings.Contains(logs.String(), "login") {
		t.Errorf("logs say nothing of the login: %s", logs)
	}
}

func TestUsers_DisableRolesAndPassword(t *testing.T) {
	s, db, logs := newService(t)
	ctx := context.Background()
	login := func(pw string) (*fundhub.Caller, error) {
		sess, err := s.Login(ctx, "li", pw, "x")
		if err != nil {
			return nil, err
		}
		return s.Authenticate(ctx, sess.Token)
	}
	first, err := login(password)
	if err != nil {
		t.Fatal(err)
	}
	second, err := login(password)
	if err != nil {
		t.Fatal(err)
	}

	// A wrong current password names the field and changes nothing.
	err = s.ChangePassword(ctx, first, "not it at all", "a brand new passphrase", "x")
	if fundhub.ErrorField(err) != "currentPassword" {
		t.Errorf("wrong current password: got %v, want BAD_USER_INPUT on currentPassword", err)
	}
	// The right one changes it and revokes the other login token, not this one.
	if err := s.ChangePassword(ctx, first, password, "a brand new passphrase", "x"); err != nil {
		t.Fatal(err)
	}
	live := func(c *fundhub.Caller) bool {
		var n int
		pgtest.Get(t, db, &n, `SELECT count(*) FROM auth_tokens
			WHERE id = $1 AND revoked_at IS NULL`, c.TokenID)
		return n == 1
	}
	if !live(first) || live(second) {
		t.Errorf("after the change: this login token live=%t (want true), the other live=%t "+
			"(want false)", live(first), live(second))
	}
	if _, err := login(password); err == nil {
		t.Error("the old password still works")
	}

	if _, err := s.SetRoles(ctx, "li", []string{"geohazard", "nosuchrole"}, nil); fundhub.
		ErrorField(err) != "roles" {
		t.Errorf("unknown role: got %v, want BAD_USER_INPUT on roles", err)
	}
	u, err := s.SetRoles(ctx, "li", []string{"geohazard"}, nil)
	if err != nil || len(u.Roles) != 1 || u.Roles[0] != "geohazard" {
		t.Fatalf("set roles: %+v %v", u, err)
	}

	if _, err := s.SetDisabled(ctx, "li", true, nil); err != nil {
		t.Fatal(err)
	}
	if live(first) {
		t.Error("disabling the user left a token live")
	}

	var audit string
	pgtest.Get(t, db, &audit, `SELECT string_agg(action || coalesce(before::text, '') ||
		coalesce(after::text, ''), E'\n' ORDER BY id) FROM audit_log
		WHERE action LIKE 'user.%'`)
	for _, want := range []string{"user.password", "user.roles", "user.disable"} {
		if !strings.Contains(audit, want) {
			t.Errorf("no %s record in the audit log:\n%s", want, audit)
		}
	}
	for _, secret := range []string{"$2a$", password, "a brand new passphrase"} {
		if strings.Contains(audit, secret) || strings.Contains(logs.String(), secret) {
			t.Errorf("%q reached the audit log or the logs", secret)
		}
	}
}

func TestLogin_UnknownNamesLockAlike(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	answers := func(name string) []string {
		var out []string
		for range auth.LockAfter + 1 {
			_, err := s.Login(ctx, name, "guess guess guess", "x")
			out = append(out, fundhub.ErrorCode(err)+" "+fundhub.ErrorMessage(err))
		}
		return out
	}

	known, unknown := answers("li"), answers("nobody")
	for i := range known {
		if known[i] != unknown[i] {
			t.Errorf("attempt %d: %q for a user, %q for no user", i+1, known[i], unknown[i])
		}
	}
	if !strings.HasPrefix(known[auth.LockAfter], fundhub.ETOOMANY) {
		t.Errorf("attempt %d: got %q, want TOO_MANY_ATTEMPTS", auth.LockAfter+1,
			known[auth.LockAfter])
	}
}

func TestLogin_ParallelGuessesDoNotPassTheLock(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()

	const tries = 30
	codes := make(chan string, tries)
	var wg sync.WaitGroup
	for range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Login(ctx, "li", "guess guess guess", "x")
			codes <- fundhub.ErrorCode(err)
		}()
	}
	wg.Wait()
	close(codes)

	checked := 0
	for c := range codes {
		if c == fundhub.EUNAUTHENTICATED {
			checked++
		}
	}
	if checked > auth.LockAfter {
		t.Errorf("%d of %d parallel guesses were checked; want at most %d", checked, tries,
			auth.LockAfter)
	}
	if _, err := s.Login(ctx, "li", password, "x"); fundhub.ErrorCode(err) != fundhub.ETOOMANY {
		t.Errorf("the right password during the lock: got %v, want TOO_MANY_ATTEMPTS", err)
	}
}
