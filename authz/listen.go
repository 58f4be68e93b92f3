package authz

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Channel is the PostgreSQL notification channel the casbin_rules trigger
// notifies on every change.
const Channel = "casbin_rules"

// Listen subscribes to Channel on the database at url and returns once the
// subscription holds, so a change committed after it returns triggers a
// reload. Reloads then run in the background until ctx is cancelled, which
// closes the connection. After a lost connection it reconnects and reloads,
// as notifications sent meanwhile are gone. Failed reloads are logged and
// keep the previous policies.
func (a *Authorizer) Listen(ctx context.Context, url string) error {
	l := pq.NewListener(url, time.Second, time.Minute, a.logListenerEvent)
	if err := l.Listen(Channel); err != nil {
		l.Close()
		return fmt.Errorf("listening on %s: %w", Channel, err)
	}

	go a.listen(ctx, l)

	return nil
}

func (a *Authorizer) listen(ctx context.Context, l *pq.Listener) {
	defer l.Close()

	for {
		select {
		case <-ctx.Done():
			return
		case <-l.Notify:
			// A nil notification follows a reconnect: anything may have
			// changed, so reload either way.
		}

		if err := a.Reload(ctx); err != nil && ctx.Err() == nil {
			a.logger.Warn("reloading policies; keeping the previous ones", "err", err)
		}
	}
}

func (a *Authorizer) logListenerEvent(ev pq.ListenerEventType, err error) {
	switch ev {
	case pq.ListenerEventDisconnected, pq.ListenerEventConnectionAttemptFailed:
		a.logger.Warn("policy listener lost its connection", "err", err)
	case pq.ListenerEventReconnected:
		a.logger.Info("policy listener reconnected")
	}
}
