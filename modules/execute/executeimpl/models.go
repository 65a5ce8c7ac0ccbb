package executeimpl

// Row types of the execute tables (schema/*/0020_execute.sql). Times are Unix
// milliseconds, as bk-job's API reports them.

type taskInstance struct {
	ID             int64 `gorm:"primaryKey"`
	BizID          int64
	ScopeType      string
	ScopeID        string
	PlanID         int64
	TemplateID     int64
	CronID         int64
	Name           string
	Type           int
	Operator       string
	AppCode        string
	StartupMode    int
	Status         int
	CurrentStepID  int64
	CallbackURL    string
	CallbackStatus int
	IsDebugTask    int
	CreateTime     int64
	StartTime      int64
	EndTime        int64
	TotalTime      int64
	UpdateTime     int64
}

func (taskInstance) TableName() string { return "task_instance" }

type stepInstance struct {
	ID             int64 `gorm:"primaryKey"`
	TaskInstanceID int64
	StepID         int64
	StepOrder      int
	Name           string
	Type           int
	Operator       string
	Status         int
	ExecuteCount   int
	Batch          int
	TotalBatch     int
	RollingMode    int
	RollingExpr    string
	IgnoreError    int
	Timeout        int
	ScriptDetail   string
	FileDetail     string
	CreateTime     int64
	StartTime      int64
	EndTime        int64
	TotalTime      int64
	UpdateTime     int64
}

func (stepInstance) TableName() string { return "step_instance" }

// rolling reports whether the step runs in batches.
func (s *stepInstance) rolling() bool { return s.TotalBatch > 0 }

type stepHost struct {
	ID             int64 `gorm:"primaryKey"`
	StepInstanceID int64
	Seq            int
	Batch          int
	HostID         int64
	CloudID        int64
	IP             string `gorm:"column:ip"`
	IPv6           string `gorm:"column:ipv6"`
	AgentID        string
	InvalidStatus  int
}

func (stepHost) TableName() string { return "step_instance_host" }

type rollingTask struct {
	ID             int64 `gorm:"primaryKey"`
	StepInstanceID int64
	ExecuteCount   int
	Batch          int
	Status         int
	StartTime      int64
	EndTime        int64
	TotalTime      int64
}

func (rollingTask) TableName() string { return "step_instance_rolling_task" }

type gseTask struct {
	ID             int64 `gorm:"primaryKey"`
	StepInstanceID int64
	ExecuteCount   int
	Batch          int
	Status         int
	GseTaskID      string
	Dispatched     int
	ClaimTime      int64
	StopTime       int64
	Timeout        int
	StartTime      int64
	EndTime        int64
	TotalTime      int64
}

func (gseTask) TableName() string { return "gse_task" }

type hostTask struct {
	ID                 int64 `gorm:"primaryKey"`
	StepInstanceID     int64
	ExecuteCount       int
	ActualExecuteCount int
	Batch              int
	GseTaskID          int64
	Mode               int
	HostID             int64
	CloudID            int64
	IP                 string `gorm:"column:ip"`
	IPv6               string `gorm:"column:ipv6"`
	AgentID            string
	Status             int
	ExitCode           int
	ErrorCode          int
	ErrorMsg           string
	Tag                string
	LogOffset          int64
	StartTime          int64
	EndTime            int64
	TotalTime          int64
}

func (hostTask) TableName() string { return "gse_execute_obj_task" }

type operationLog struct {
	ID             int64 `gorm:"primaryKey"`
	TaskInstanceID int64
	StepInstanceID int64
	OpCode         int
	Operator       string
	AppCode        string
	ExecuteCount   int
	Detail         string
	CreateTime     int64
}

func (operationLog) TableName() string { return "operation_log" }

type taskHost struct {
	ID             int64 `gorm:"primaryKey"`
	TaskInstanceID int64
	HostID         int64
	CloudID        int64
	IP             string `gorm:"column:ip"`
	IPv6           string `gorm:"column:ipv6"`
}

func (taskHost) TableName() string { return "task_instance_host" }

// Callback states of a task instance.
const (
	callbackNone    = 0
	callbackPending = 1
	callbackDone    = 2
	callbackFailed  = 3
)

// Host validity at resolution time (step_instance_host.invalid_status uses
// the host status codes).
const hostValid = 0
