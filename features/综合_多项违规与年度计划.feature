# language: zh-CN
功能: 综合：一次报告全部违规；生效日期；按日期审查；年度计划预审
  每一条适用的阻止性规则都要报告，而不只是第一条；规则包生效之前的申请无法作出决定；
  年度计划中的事项按日期顺序审查，计入台账和计划中此前已批准的事项。

  背景:
    假如 地区为"景德镇市"

  @city_meeting_arranged_and_approved @department_meeting_not_escalated @only_directly_related_attendees
  场景: 一个升格为市政府名义的会议同时违反三条，全部报告
    假如 台账中有以下会议：
      | 编号 | 单位     | 日期       | 标题             | 会议名义 | 内容所需名义 | 范围         | 常规性部署会议 |
      | M-0  | 市教育局 | 2019-03-25 | 全市教育工作会议 | 部门     | 部门         | 本系统全市性 | 否             |
    当 提交以下会议申请：
      | 编号 | 单位     | 日期       | 标题                     | 会议名义 | 内容所需名义 | 范围         | 常规性部署会议 | 参会单位      |
      | M-1  | 市教育局 | 2019-05-10 | 全市教育系统安全工作会议 | 市政府   | 部门         | 本系统全市性 | 否             | 市财政局:否 |
    那么 决定为"驳回"
    而且 违反的规则为：
      | 规则                               |
      | city_meeting_arranged_and_approved |
      | department_meeting_not_escalated   |
      | only_directly_related_attendees    |

  @department_document_not_escalated @no_duplicate_document @no_document_after_deployment
  场景: 一件文件同时违反三条，全部报告
    假如 台账中有以下文件：
      | 编号  | 单位     | 日期       | 工作事项     | 发文名义 | 内容所需名义 | 文号             |
      | OLD-1 | 市财政局 | 2019-02-20 | 预算绩效管理 | 部门     | 部门         | 景财字〔2019〕8号 |
    当 提交以下文件申请：
      | 编号  | 单位     | 日期       | 工作事项     | 发文名义 | 内容所需名义 | 已部署方式 |
      | DOC-1 | 市财政局 | 2019-05-10 | 预算绩效管理 | 市政府   | 部门         | phone      |
    那么 决定为"驳回"
    而且 违反的规则为：
      | 规则                              |
      | department_document_not_escalated |
      | no_duplicate_document             |
      | no_document_after_deployment      |

  @system_meeting_once_a_year
  场景: 规则包生效（2019-03-19）之前的申请，无法作出决定，更不会批准
    当 提交以下申请：
      """
      id: EARLY-1
      kind: meeting
      unit: 市教育局
      date: "2019-03-01"
      title: 全市教育工作会议
      held_in_name_of: department
      remit: department
      scope: citywide_system
      routine: false
      """
    那么 无法作出决定，原因包含"没有生效的规则包"

  @system_meeting_once_a_year
  场景: 规则包生效当天的申请正常审查（边界）
    当 提交以下申请：
      """
      id: DAY-1
      kind: meeting
      unit: 市教育局
      date: "2019-03-19"
      title: 全市教育工作会议
      held_in_name_of: department
      remit: department
      scope: citywide_system
      routine: false
      """
    那么 决定为"批准"

  @system_meeting_once_a_year
  场景: 按指定审查日期选用规则包：早于生效日期审查，无法作出决定
    当 以"2019-01-10"为审查日期提交以下会议申请：
      | 编号  | 单位     | 日期       | 标题             | 会议名义 | 内容所需名义 | 范围         | 常规性部署会议 |
      | ASOF-1 | 市教育局 | 2019-05-10 | 全市教育工作会议 | 部门     | 部门         | 本系统全市性 | 否             |
    那么 无法作出决定，原因包含"2019-01-10"

  @system_meeting_once_a_year @inspection_in_filed_plan
  场景: 年度计划预审：计划中的第二次本系统全市性会议被驳回，计划自己的督查事项视为已列入计划
    当 预审以下年度计划：
      """
      id: JY-PLAN-2019
      unit: 市教育局
      year: 2019
      items:
        - id: JY-M2
          kind: meeting
          date: "2019-09-20"
          title: 全市教育系统秋季开学工作会议
          held_in_name_of: department
          remit: department
          scope: citywide_system
          routine: false
        - id: JY-M1
          kind: meeting
          date: "2019-04-10"
          title: 全市教育工作会议
          held_in_name_of: department
          remit: department
          scope: citywide_system
          routine: false
        - id: JY-I1
          kind: inspection
          date: "2019-06-10"
          title: 校园安全专项督查
          type: special
          scope: citywide
          work_plan:
            targets: [校园安全隐患清零]
            indicators: [{name: 隐患整改完成率, target: "100%"}]
      """
    那么 "JY-M1"的决定为"批准"
    而且 "JY-M2"的决定为"驳回"
    而且 "JY-M2"违反规则"system_meeting_once_a_year"
    而且 "JY-I1"的决定为"批准"
    而且 计划"未"报督查室备案

  @system_meeting_once_a_year
  场景: 年度计划中被驳回的事项不计入后面的事项
    当 预审以下年度计划：
      """
      id: JY-PLAN-2019B
      unit: 市教育局
      year: 2019
      filed_with: supervision_office
      filed_on: "2019-02-28"
      items:
        - id: JY-M1
          kind: meeting
          date: "2019-04-10"
          title: 全市教育工作会议
          held_in_name_of: city_government
          remit: department
          scope: citywide_system
          routine: false
        - id: JY-M2
          kind: meeting
          date: "2019-09-20"
          title: 全市教育系统秋季开学工作会议
          held_in_name_of: department
          remit: department
          scope: citywide_system
          routine: false
      """
    那么 "JY-M1"的决定为"驳回"
    而且 "JY-M2"的决定为"批准"
    而且 计划"已"报督查室备案

  @inspection_in_filed_plan @one_comprehensive_inspection @joint_inspection_when_several_departments @inspection_work_plan @onsite_without_disturbance
  场景: 一项督查同时违反三条，全部报告，第11条的联合督查与第15条另作提醒
    假如 台账中有以下督查检查考核：
      | 编号 | 单位         | 日期       | 标题             | 督查类型 | 范围   | 计划事项 |
      | I-0  | 市市场监管局 | 2019-04-10 | 市场监管综合考核 | 综合性   | 其他   |          |
    当 提交以下督查检查考核申请：
      | 编号 | 单位         | 日期       | 标题             | 督查类型 | 范围   | 涉及单位               | 联合开展 | 暗访抽查 | 对基层要求 |
      | I-1  | 市市场监管局 | 2019-10-10 | 市场监管年终考核 | 综合性   | 全市性 | 市教育局；市卫生健康委 | 否       | 否       | 迎接       |
    那么 决定为"驳回"
    而且 违反的规则为：
      | 规则                                      |
      | inspection_in_filed_plan                  |
      | one_comprehensive_inspection              |
      | inspection_work_plan                      |
    而且 规则"joint_inspection_when_several_departments"给出提醒
    而且 规则"onsite_without_disturbance"给出提醒

  @one_bulletin_series @bulletin_cut
  场景: 2018年没有简报的单位在2019年另办第二种简报，两条都报告
    假如 台账中有以下简报：
      | 编号  | 单位     | 日期       | 简报名称     |
      | JY-01 | 市教育局 | 2019-03-15 | 教育工作简报 |
    当 提交以下简报申请：
      | 编号  | 单位     | 日期       | 简报名称     |
      | JY-02 | 市教育局 | 2019-05-15 | 教育信息专报 |
    那么 决定为"驳回"
    而且 违反的规则为：
      | 规则                |
      | one_bulletin_series |
      | bulletin_cut        |

  @no_meeting_month
  场景: 萍乡无会月里的第二次常规性本系统全市性会议：只按萍乡自己的规定驳回，不引景德镇的条文
    假如 地区为"萍乡市"
    而且 台账中有以下会议：
      | 编号 | 单位         | 日期       | 标题             | 议题     | 会议名义 | 内容所需名义 | 范围         | 常规性部署会议 |
      | PX-0 | 萍乡市教育局 | 2021-02-20 | 全市教育工作会议 | 校园安全 | 部门     | 部门         | 本系统全市性 | 是             |
    当 提交以下会议申请：
      | 编号 | 单位         | 日期       | 标题                 | 议题     | 会议名义 | 内容所需名义 | 范围         | 常规性部署会议 | 参会单位                        |
      | PX-1 | 萍乡市教育局 | 2021-03-10 | 全市校园安全工作会议 | 校园安全 | 部门     | 部门         | 本系统全市性 | 是             | 萍乡市公安局:是；萍乡市财政局:否 |
    那么 决定为"驳回"
    而且 违反的规则为：
      | 规则             |
      | no_meeting_month |
    而且 决定所依据的规则包为"pingxiang-2020"
    而且 没有引用"004_25cc8ea62125b708.txt"

  @system_meeting_once_a_year
  场景: 以"2019-06-01"为审查日期，生效之前日期的第一次会议按当日生效的规则包审查并批准
    当 以"2019-06-01"为审查日期提交以下会议申请：
      | 编号   | 单位     | 日期       | 标题             | 会议名义 | 内容所需名义 | 范围         | 常规性部署会议 |
      | ASOF-2 | 市教育局 | 2019-03-01 | 全市教育工作会议 | 部门     | 部门         | 本系统全市性 | 否             |
    那么 决定为"批准"
    而且 规则"system_meeting_once_a_year"通过

  @system_meeting_once_a_year
  场景: 以"2019-06-01"为审查日期，同一会议在本年度已有会议时驳回
    假如 台账中有以下会议：
      | 编号  | 单位     | 日期       | 标题             | 会议名义 | 内容所需名义 | 范围         | 常规性部署会议 |
      | M-0   | 市教育局 | 2019-02-15 | 全市教育招生会议 | 部门     | 部门         | 本系统全市性 | 否             |
    当 以"2019-06-01"为审查日期提交以下会议申请：
      | 编号   | 单位     | 日期       | 标题             | 会议名义 | 内容所需名义 | 范围         | 常规性部署会议 |
      | ASOF-3 | 市教育局 | 2019-03-01 | 全市教育工作会议 | 部门     | 部门         | 本系统全市性 | 否             |
    那么 决定为"驳回"
    而且 违反规则"system_meeting_once_a_year"
    而且 理由包含"M-0"

  @system_meeting_once_a_year
  场景: 年度计划预审计入台账中已召开的会议：计划中的本系统全市性会议驳回
    假如 台账中有以下会议：
      | 编号 | 单位     | 日期       | 标题             | 会议名义 | 内容所需名义 | 范围         | 常规性部署会议 |
      | M-0  | 市教育局 | 2019-03-25 | 全市教育工作会议 | 部门     | 部门         | 本系统全市性 | 否             |
    当 预审以下年度计划：
      """
      id: JY-PLAN-2019C
      unit: 市教育局
      year: 2019
      items:
        - id: JY-M3
          kind: meeting
          date: "2019-09-20"
          title: 全市教育系统秋季开学工作会议
          held_in_name_of: department
          remit: department
          scope: citywide_system
          routine: false
      """
    那么 "JY-M3"的决定为"驳回"
    而且 "JY-M3"违反规则"system_meeting_once_a_year"

  @system_meeting_once_a_year
  场景: 年度计划中经市政府事先批准增开的第二次会议批准
    当 预审以下年度计划：
      """
      id: JY-PLAN-2019D
      unit: 市教育局
      year: 2019
      items:
        - id: JY-M1
          kind: meeting
          date: "2019-04-10"
          title: 全市教育工作会议
          held_in_name_of: department
          remit: department
          scope: citywide_system
          routine: false
        - id: JY-M2
          kind: meeting
          date: "2019-09-20"
          title: 全市教育系统秋季开学工作会议
          held_in_name_of: department
          remit: department
          scope: citywide_system
          routine: false
          approvals: [{by: city_government, ref: 景府字〔2019〕5号, date: "2019-03-20", covers: "8"}]
      """
    那么 "JY-M1"的决定为"批准"
    而且 "JY-M2"的决定为"批准"

  @one_comprehensive_inspection @inspection_in_filed_plan
  场景: 年度计划中的第二次综合性督查考核驳回，计划自己的事项都视为已列入计划
    当 预审以下年度计划：
      """
      id: SCJG-PLAN-2019
      unit: 市市场监管局
      year: 2019
      filed_with: supervision_office
      filed_on: "2019-03-28"
      items:
        - id: SCJG-I2
          kind: inspection
          date: "2019-10-10"
          title: 市场监管年终考核
          type: comprehensive
          scope: citywide
          work_plan: {targets: [年度任务完成], indicators: [{name: 任务完成率, target: "95%"}]}
        - id: SCJG-I1
          kind: inspection
          date: "2019-04-10"
          title: 市场监管综合考核
          type: comprehensive
          scope: citywide
          work_plan: {targets: [年度任务完成], indicators: [{name: 任务完成率, target: "95%"}]}
      """
    那么 "SCJG-I1"的决定为"批准"
    而且 "SCJG-I2"的决定为"驳回"
    而且 "SCJG-I2"违反规则"one_comprehensive_inspection"
    而且 计划"已"报督查室备案
