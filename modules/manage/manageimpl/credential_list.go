package manageimpl

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// maxFilterLen bounds the substring filters of the list calls (a filter
// longer than any name or address could match nothing anyway).
const maxFilterLen = 64

// checkFilter trims a list filter and refuses one over maxFilterLen.
func checkFilter(field, raw string) (string, error) {
	f := strings.TrimSpace(raw)
	if utf8.RuneCountInString(f) > maxFilterLen {
		return "", errs.Invalid(field, "at most %d characters", maxFilterLen)
	}
	return f, nil
}

// ListCredentials implements manage.Credentials.
func (s *Service) ListCredentials(ctx context.Context, req manage.ListCredentialsRequest) (manage.CredentialPage, error) {
	if req.BizID <= 0 {
		return manage.CredentialPage{}, errs.Required("bk_scope_id")
	}
	length, err := pageLength(req.Start, req.Length)
	if err != nil {
		return manage.CredentialPage{}, err
	}
	name, err := checkFilter("name", req.Name)
	if err != nil {
		return manage.CredentialPage{}, err
	}
	rows, total, err := s.cs.credentials(ctx, req.BizID, name, req.Start, length)
	if err != nil {
		return manage.CredentialPage{}, err
	}
	page := manage.CredentialPage{Start: req.Start, Total: int(total), Length: length, Data: make([]manage.Credential, 0, len(rows))}
	for _, r := range rows {
		page.Data = append(page.Data, toCredential(req.ScopeRef, r))
	}
	return page, nil
}

// DeleteCredential implements manage.Credentials. A credential an
// agentless host logs in with is kept: deleting it would leave the host
// unreachable with nothing saying why.
func (s *Service) DeleteCredential(ctx context.Context, req manage.DeleteCredentialRequest) (manage.CredentialRef, error) {
	if req.BizID <= 0 {
		return manage.CredentialRef{}, errs.Required("bk_scope_id")
	}
	row, err := s.credential(ctx, req.BizID, req.ID)
	if err != nil {
		return manage.CredentialRef{}, err
	}
	err = s.cs.deleteCredential(ctx, req.BizID, row.ID)
	var inUse errInUse
	switch {
	case isNoRow(err):
		return manage.CredentialRef{}, notFound(req.BizID, row.ID)
	case asInUse(err, &inUse):
		return manage.CredentialRef{}, manage.ErrCredentialInUse.Withf(
			"credential %q is used by %d agentless host(s), first %s; register them with another credential first",
			row.Name, inUse.hosts, inUse.first).OnField("id")
	case err != nil:
		return manage.CredentialRef{}, err
	}
	s.log.Info("credential deleted", "credential_id", row.ID, "biz_id", row.BizID, "operator", req.Operator)
	return manage.CredentialRef{ID: manage.CredentialID(row.ID), Name: row.Name}, nil
}

func toCredential(scope manage.ScopeRef, row credential) manage.Credential {
	return manage.Credential{
		ScopeType: scope.ScopeType, ScopeID: scope.ScopeID, ID: manage.CredentialID(row.ID), Name: row.Name,
		Type: manage.CredentialTypeName(row.Type), Description: row.Description, Creator: row.Creator,
		CreateTime: row.CreatedAt.UnixMilli(), LastModifyUser: row.LastModifyUser, LastModifyTime: row.UpdatedAt.UnixMilli(),
	}
}

// errInUse is the store's "hosts use this credential".
type errInUse struct {
	hosts int64
	first string // cloud:ip of the first such host
}

func (e errInUse) Error() string { return fmt.Sprintf("credential used by %d host(s)", e.hosts) }

func asInUse(err error, out *errInUse) bool {
	e, ok := err.(errInUse) //nolint:errorlint // the store returns it unwrapped
	if ok {
		*out = e
	}
	return ok
}

// credentials is one page of a business's credentials whose name contains
// name, by name.
func (s gormStore) credentials(ctx context.Context, bizID int64, name string, start, length int) ([]credential, int64, error) {
	query := func() *gorm.DB {
		q := s.db.WithContext(ctx).Model(&credential{}).Where("biz_id = ?", bizID)
		if name != "" {
			q = q.Where("name LIKE ? ESCAPE '!'", "%"+likeEscape(name)+"%")
		}
		return q
	}
	var total int64
	if err := query().Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count credentials: %w", err)
	}
	var rows []credential
	if err := query().Order("name").Order("id").Offset(start).Limit(length).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list credentials: %w", err)
	}
	return rows, total, nil
}

// deleteCredential deletes credential id of bizID unless a host names it
// (errInUse). The row is deleted first and the hosts counted after, with a
// locking read, in one transaction: a host registered meanwhile either
// committed before (counted, and the delete rolls back) or waits on the
// deleted row and is refused (insertAgentlessHost).
func (s gormStore) deleteCredential(ctx context.Context, bizID int64, id string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("biz_id = ? AND id = ?", bizID, id).Delete(&credential{})
		if res.Error != nil {
			return fmt.Errorf("delete credential %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return errNoRow
		}
		var hosts []agentlessHost
		if err := forUpdate(tx).Where("credential_id = ?", id).Order("id").Find(&hosts).Error; err != nil {
			return fmt.Errorf("find hosts of credential %s: %w", id, err)
		}
		if len(hosts) > 0 {
			return errInUse{hosts: int64(len(hosts)), first: fmt.Sprintf("%d:%s", hosts[0].CloudID, hosts[0].IP)}
		}
		return nil
	})
}

// likeEscape escapes LIKE's wildcards with '!' (the same on SQLite and MySQL).
func likeEscape(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}
