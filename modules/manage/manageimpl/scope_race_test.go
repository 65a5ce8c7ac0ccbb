package manageimpl

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/manage"
)

func TestCreateBizRace(t *testing.T) { eachBackend(t, testCreateBizRace) }

// testCreateBizRace: of concurrent creates of one id (a business or a set)
// exactly one wins; the others are ErrScopeExists, and one root account
// exists.
func testCreateBizRace(t *testing.T, env credEnv) {
	ctx := context.Background()
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if i%2 == 0 {
				_, errs[i] = env.impl.CreateBiz(ctx, manage.CreateBizRequest{BizID: 77, ScopeFields: fields("Race", "UTC")})
			} else {
				_, errs[i] = env.impl.CreateBizSet(ctx, manage.CreateBizSetRequest{BizSetID: 77, MemberBizIDs: []int64{1}, ScopeFields: fields("Race", "UTC")})
			}
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		require.ErrorIs(t, err, manage.ErrScopeExists)
	}
	require.Equal(t, 1, won)
	var accounts int64
	require.NoError(t, env.db.Model(&account{}).Where("biz_id = ?", 77).Count(&accounts).Error)
	require.Equal(t, int64(1), accounts)
}
