package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"fundhub"
	"fundhub/authz"
)

// problemKinds and problemSeverities are the values the problems table
// accepts.
var (
	problemKinds = []string{"SLOW_PAYMENT", "SLOW_PROGRESS", "UNAPPROVED_CHANGE", "MISUSE",
		"DATA_INCONSISTENCY", "OUT_OF_RESERVE", "LATE", "OTHER"}
	problemSeverities = []string{"INFO", "MINOR", "MAJOR", "CRITICAL"}
)

// RaiseProblem stores a problem a person raises on a region, or on a
// project or allocation within it, when the guard lets the caller read
// there, and audits it.
func (d *DB) RaiseProblem(ctx context.Context, g fundhub.Guard,
	in fundhub.ProblemInput) (*fundhub.Problem, error) {
	severity := "MINOR"
	if in.Severity != nil {
		severity = *in.Severity
	}
	if err := checkProblemInput(in, severity); err != nil {
		return nil, err
	}

	var id int64
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := currentRegion(ctx, tx, "regionCode", in.RegionCode); err != nil {
			return err
		}
		if err := g.Allow(authz.ActionRead, in.RegionCode, ""); err != nil {
			return err
		}
		dir, err := problemSubject(ctx, tx, in)
		if err != nil {
			return err
		}
		// A project or allocation the caller may not read is not told apart
		// from one that does not exist.
		if dir != "" && !g.Permits(authz.ActionRead, in.RegionCode, dir) {
			if in.AllocationID != nil {
				return fundhub.Invalid("allocationId", "no allocation %d to region %s",
					*in.AllocationID, in.RegionCode)
			}
			return fundhub.Invalid("projectId", "no project %d in region %s", *in.ProjectID,
				in.RegionCode)
		}

		err = tx.GetContext(ctx, &id, `INSERT INTO problems (kind, severity, region_code,
			project_id, allocation_id, title, detail, raised_by)
			VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, ''), $8) RETURNING id`, in.Kind,
			severity, in.RegionCode, in.ProjectID, in.AllocationID, strings.TrimSpace(in.Title),
			in.Detail, g.Caller().Actor())
		if err != nil {
			return fmt.Errorf("raising a problem: %w", inputError(err))
		}

		return auditChange(ctx, tx, g, "problem.raise", "problem", id, in.RegionCode, nil, "")
	})
	if err != nil {
		return nil, err
	}

	return d.FindProblem(ctx, fundhub.FullScope(), id)
}

func checkProblemInput(in fundhub.ProblemInput, severity string) error {
	if err := fundhub.CheckLength("title", in.Title, fundhub.MaxNameLength); err != nil {
		return err
	}
	if in.Detail != nil {
		if err := fundhub.CheckLength("detail", *in.Detail, fundhub.MaxTextLength); err != nil {
			return err
		}
	}
	switch {
	case !contains(problemKinds, in.Kind):
		return fundhub.Invalid("kind", "must be one of %s", strings.Join(problemKinds, ", "))
	case !contains(problemSeverities, severity):
		return fundhub.Invalid("severity", "must be one of %s",
			strings.Join(problemSeverities, ", "))
	case strings.TrimSpace(in.Title) == "":
		return fundhub.Invalid("title", "is required")
	}

	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}

	return false
}

// problemSubject checks the region, project and allocation a problem is
// raised on and returns the direction it concerns: the project's or the
// allocation's fund's, or "" for the region as a whole.
func problemSubject(ctx context.Context, tx *sqlx.Tx,
	in fundhub.ProblemInput) (fundhub.Direction, error) {
	var dir fundhub.Direction
	if in.ProjectID != nil {
		err := tx.GetContext(ctx, &dir, `SELECT p.direction FROM projects p
			JOIN regions pr ON pr.code = p.region_code, regions r
			WHERE p.id = $1 AND r.code = $2 AND pr.path LIKE r.path || '%'`,
			*in.ProjectID, in.RegionCode)
		if isNoRows(err) {
			return "", fundhub.Invalid("projectId", "no project %d in region %s",
				*in.ProjectID, in.RegionCode)
		}
		if err != nil {
			return "", fmt.Errorf("reading project %d: %w", *in.ProjectID, err)
		}
	}
	if in.AllocationID != nil {
		var adir fundhub.Direction
		err := tx.GetContext(ctx, &adir, `SELECT f.direction FROM allocations a
			JOIN funds f ON f.id = a.fund_id JOIN regions tr ON tr.code = a.to_region,
			regions r WHERE a.id = $1 AND r.code = $2 AND tr.path LIKE r.path || '%'`,
			*in.AllocationID, in.RegionCode)
		if isNoRows(err) {
			return "", fundhub.Invalid("allocationId", "no allocation %d to region %s",
				*in.AllocationID, in.RegionCode)
		}
		if err != nil {
			return "", fmt.Errorf("reading allocation %d: %w", *in.AllocationID, err)
		}
		if dir != "" && dir != adir {
			return "", fundhub.Invalid("allocationId", "a %s allocation and a %s project "+
				"are not one subject", adir, dir)
		}
		dir = adir
	}

	return dir, nil
}

// lockedProblem is a problem locked for a change, with the direction it
// concerns ("" for its region as a whole).
type lockedProblem struct {
	fundhub.Problem
	Direction *fundhub.Direction `db:"direction"`
}

// HandleProblem acknowledges, comments on, resolves or escalates the
// problem with id. Anyone who sees a problem may comment; the rest is done
// by a level above the problem's region, with the right to review there.
// text is the comment, the resolution note or the reason to escalate.
func (d *DB) HandleProblem(ctx context.Context, g fundhub.Guard, id int64, step fundhub.ProblemStep,
	text string) (*fundhub.Problem, error) {
	if strings.TrimSpace(text) == "" && step != fundhub.ProblemAcknowledge {
		return nil, fundhub.Invalid(stepField[step], "is required")
	}
	if err := fundhub.CheckLength(stepField[step], text, fundhub.MaxTextLength); err != nil {
		return nil, err
	}

	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		p, before, err := lockProblem(ctx, tx, id)
		if err != nil {
			return err
		}
		var dir fundhub.Direction
		if p.Direction != nil {
			dir = *p.Direction
		}
		if err := seen(g, string(step), p.RegionCode, dir, "problem", id); err != nil {
			return err
		}
		if err := allowProblemStep(g, step, p); err != nil {
			return err
		}
		if err := applyProblemStep(ctx, tx, g, step, p, text); err != nil {
			return err
		}

		return auditChange(ctx, tx, g, "problem."+string(step), "problem", id, p.RegionCode,
			before, text)
	})
	if err != nil {
		return nil, err
	}

	return d.FindProblem(ctx, fundhub.FullScope(), id)
}

// stepField names the argument that carries each step's text.
var stepField = map[fundhub.ProblemStep]string{fundhub.ProblemCommentStep: "body",
	fundhub.ProblemResolve: "note", fundhub.ProblemEscalate: "reason"}

func lockProblem(ctx context.Context, tx *sqlx.Tx, id int64) (*lockedProblem, []byte,
	error) {
	var p lockedProblem
	err := tx.GetContext(ctx, &p, `SELECT `+problemCols+`, COALESCE(
			(SELECT lp.direction FROM projects lp WHERE lp.id = pb.project_id),
			(SELECT lf.direction FROM allocations la JOIN funds lf ON lf.id = la.fund_id
				WHERE la.id = pb.allocation_id)) AS direction
		FROM problems pb WHERE pb.id = $1 FOR UPDATE OF pb`, id)
	if err != nil {
		return nil, nil, notFound(err, "problem", id)
	}
	before, err := rowJSON(ctx, tx, "problems", id)

	return &p, before, err
}

// allowProblemStep asks for a step's right: anyone who sees a problem
// comments; the level above handles it, and once it went up to the
// ministry, the ministry does.
func allowProblemStep(g fundhub.Guard, step fundhub.ProblemStep, p *lockedProblem) error {
	var dir fundhub.Direction
	if p.Direction != nil {
		dir = *p.Direction
	}
	switch {
	case step == fundhub.ProblemCommentStep:
		return g.Allow(authz.ActionRead, p.RegionCode, dir)
	case p.Escalated:
		return g.AllowOwn(authz.ActionReview, fundhub.NationalCode, dir)
	}

	return g.AllowAbove(authz.ActionReview, p.RegionCode, dir)
}

// applyProblemStep checks that step may follow the problem's state and
// makes the change.
func applyProblemStep(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard,
	step fundhub.ProblemStep, p *lockedProblem, text string) error {
	closed := p.Status == "RESOLVED" || p.Status == "CLOSED"
	var q string
	switch {
	case closed && step != fundhub.ProblemCommentStep:
		return &fundhub.Error{Code: fundhub.ECONFLICT, Field: "id",
			Message: fmt.Sprintf("problem %d is %s", p.ID, p.Status)}
	case step == fundhub.ProblemAcknowledge && p.Status != "OPEN":
		return &fundhub.Error{Code: fundhub.ECONFLICT, Field: "id",
			Message: fmt.Sprintf("problem %d is already %s", p.ID, p.Status)}
	case step == fundhub.ProblemEscalate && (p.Severity != "MAJOR" && p.Severity != "CRITICAL"):
		return &fundhub.Error{Code: fundhub.ECONFLICT, Field: "id",
			Message: "only a MAJOR or CRITICAL problem goes up to the ministry"}
	case step == fundhub.ProblemEscalate && p.Escalated:
		return &fundhub.Error{Code: fundhub.ECONFLICT, Field: "id",
			Message: fmt.Sprintf("problem %d is already with the ministry", p.ID)}
	case step == fundhub.ProblemAcknowledge:
		q = `UPDATE problems SET status = 'ACKNOWLEDGED' WHERE id = $1`
	case step == fundhub.ProblemResolve:
		q = `UPDATE problems SET status = 'RESOLVED', resolved_at = now(),
			resolution_note = $2 WHERE id = $1`
	case step == fundhub.ProblemEscalate:
		q = `UPDATE problems SET escalated = true WHERE id = $1`
	}

	args := []any{p.ID}
	if step == fundhub.ProblemResolve {
		args = append(args, text)
	}
	if q != "" {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("%s problem %d: %w", step, p.ID, err)
		}
	}
	if step == fundhub.ProblemAcknowledge || step == fundhub.ProblemResolve {
		return nil
	}

	return addComment(ctx, tx, g, p.ID, step, text)
}

// addComment stores a comment; an escalation's reason is kept as one too.
func addComment(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard, id int64,
	step fundhub.ProblemStep, text string) error {
	if step == fundhub.ProblemEscalate {
		text = "报部 (escalated to the ministry): " + text
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO problem_comments (problem_id, author, body)
		VALUES ($1, $2, $3)`, id, g.Caller().Actor(), text)
	if err != nil {
		return fmt.Errorf("commenting on problem %d: %w", id, inputError(err))
	}

	return nil
}

// FindProblem returns the problem, or ENOTFOUND when it does not exist or
// lies outside the scope, as FindProblems applies it.
func (d *DB) FindProblem(ctx context.Context, s fundhub.Scope,
	id int64) (*fundhub.Problem, error) {
	var w where
	w.add("pb.id = %s", id)
	w.scope(s, "pb.region_code", "")
	w.linkedDirections(s, "pb.project_id", "pb.allocation_id", "")

	return getOne[fundhub.Problem](ctx, d, problemList, &w, "problem", id)
}

// CommentsByProblem returns the comments of each problem among ids, oldest
// first, for dataloaders. Pass only problems the caller may see.
func (d *DB) CommentsByProblem(ctx context.Context,
	ids []int64) (map[int64][]*fundhub.ProblemComment, error) {
	var rows []*fundhub.ProblemComment
	err := d.db.SelectContext(ctx, &rows, `SELECT id, problem_id, author, body, created_at
		FROM problem_comments WHERE problem_id = ANY($1) ORDER BY id`, int64s(ids))
	if err != nil {
		return nil, fmt.Errorf("loading problem comments: %w", err)
	}

	return groupBy(rows, func(c *fundhub.ProblemComment) int64 { return c.ProblemID }), nil
}
