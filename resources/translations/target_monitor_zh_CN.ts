<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>App</name>
    <message>
        <location filename="../../desktop/ui/app.py" line="123"/>
        <location filename="../../desktop/ui/app.py" line="206"/>
        <source>Target Monitor</source>
        <translation>目标任务监测</translation>
    </message>
</context>
<context>
    <name>AttentionModel</name>
    <message>
        <location filename="../../desktop/ui/dashboard.py" line="116"/>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dashboard.py" line="117"/>
        <source>Indicator</source>
        <translation>指标</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dashboard.py" line="118"/>
        <source>Responsible</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dashboard.py" line="119"/>
        <source>Completion</source>
        <translation>完成率</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dashboard.py" line="120"/>
        <source>Planned progress</source>
        <translation>序时进度</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dashboard.py" line="121"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
</context>
<context>
    <name>Background</name>
    <message>
        <location filename="../../desktop/ui/background.py" line="79"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>Backups</name>
    <message>
        <location filename="../../desktop/ui/backups.py" line="31"/>
        <source>Before upgrading (schema %1)</source>
        <translation>升级前（数据版本 %1）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="35"/>
        <source>Daily</source>
        <translation>每日</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="36"/>
        <source>Made by hand</source>
        <translation>手动</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="37"/>
        <source>Before an import</source>
        <translation>导入前</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="38"/>
        <source>Before undoing an import</source>
        <translation>撤销导入前</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="39"/>
        <source>Before a restore</source>
        <translation>恢复前</translation>
    </message>
</context>
<context>
    <name>BackupsDialog</name>
    <message>
        <location filename="../../desktop/ui/backups.py" line="62"/>
        <source>Backups</source>
        <translation>备份</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="69"/>
        <source>Backups of %1 are kept in %2: the newest ten, then one a day for a week, one a week for a month and one a month for a year. A backup is taken before every import and once a day when figures changed; each is checked before it is kept.</source>
        <translation>%1 的备份保存在 %2：保留最近 10 份，此外一周内每天一份、一个月内每周一份、一年内每月一份。每次导入前以及数据有变动的每天都会自动备份；每份备份在保留前都经过完整性检查。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="83"/>
        <source>Taken</source>
        <translation>备份时间</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="83"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="83"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="83"/>
        <source>Entries</source>
        <translation>填报条目</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="95"/>
        <source>No backup has been taken yet.</source>
        <translation>尚无备份。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="101"/>
        <source>&amp;Back up now</source>
        <translation>立即备份(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="103"/>
        <source>&amp;Restore…</source>
        <translation>恢复(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="105"/>
        <source>Restore from a &amp;file…</source>
        <translation>从文件恢复(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="107"/>
        <source>&amp;Open folder</source>
        <translation>打开所在文件夹(&amp;O)</translation>
    </message>
</context>
<context>
    <name>BatchesModel</name>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="175"/>
        <source>Batch</source>
        <translation>批次</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="176"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="177"/>
        <source>Who</source>
        <translation>修改人</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="178"/>
        <source>Department</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="179"/>
        <source>Month</source>
        <translation>月份</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="180"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="181"/>
        <source>Indicators</source>
        <translation>指标数</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="182"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="190"/>
        <source>applied</source>
        <translation>已导入</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="190"/>
        <source>undone</source>
        <translation>已撤销</translation>
    </message>
</context>
<context>
    <name>ChangesModel</name>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="80"/>
        <source>Cell</source>
        <translation>单元格</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="81"/>
        <source>Indicator</source>
        <translation>指标</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="82"/>
        <source>Field</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="83"/>
        <source>Old</source>
        <translation>原值</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="84"/>
        <source>New</source>
        <translation>新值</translation>
    </message>
</context>
<context>
    <name>DamagedDatabaseDialog</name>
    <message>
        <location filename="../../desktop/ui/backups.py" line="191"/>
        <source>The database is damaged</source>
        <translation>数据库已损坏</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="194"/>
        <source>The database %1 is damaged and cannot be used. It was moved to %2; nothing was deleted.</source>
        <translation>数据库 %1 已损坏，无法使用。该文件已移至 %2，未删除任何内容。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="205"/>
        <source>The newest good backup was taken on %1 and holds %2 entries. Restore it? Figures entered after it must be entered again.</source>
        <translation>最近一份完好的备份生成于 %1，含 %2 条填报。是否恢复该备份？此后填报的数据需要重新录入。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="212"/>
        <source>Restore the backup</source>
        <translation>恢复备份</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="219"/>
        <source>No good backup was found. You can start again from the plan, without figures, and restore a backup from elsewhere with File → Backups.</source>
        <translation>未找到完好的备份。可以从计划重新开始（不含填报数据），之后通过“文件 → 备份”从其他位置恢复备份。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="223"/>
        <source>Start from the plan</source>
        <translation>从计划重新开始</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/backups.py" line="225"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <location filename="../../desktop/ui/dashboard.py" line="182"/>
        <source>Lagging indicators (red and yellow)</source>
        <translation>滞后指标(红灯和黄灯)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dashboard.py" line="237"/>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;As of %2: completion %3, planned progress %4</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;数据截至 %2:完成率 %3,序时进度 %4</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dashboard.py" line="250"/>
        <source>By part</source>
        <translation>分项情况</translation>
    </message>
</context>
<context>
    <name>ExportTemplateDialog</name>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="51"/>
        <source>Export templates</source>
        <translation>导出填报模板</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="53"/>
        <source>All departments (one file each)</source>
        <translation>全部单位(每个单位一个文件)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="61"/>
        <source>Department</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="62"/>
        <source>Month</source>
        <translation>月份</translation>
    </message>
</context>
<context>
    <name>Figure</name>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="87"/>
        <source>&apos;%1&apos; is not a number</source>
        <translation>“%1”不是数字</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="88"/>
        <source>&apos;%1&apos; is negative; figures are 0 or more</source>
        <translation>“%1”是负数;数值须大于或等于 0</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="89"/>
        <source>&apos;%1&apos; is too large</source>
        <translation>“%1”数值过大</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="90"/>
        <source>&apos;%1&apos; is a percentage, but this indicator is counted in %2</source>
        <translation>“%1”是百分数,但该指标的单位是“%2”</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="93"/>
        <source>&apos;%1&apos; is not a milestone state (not started, in progress or done)</source>
        <translation>“%1”不是有效的进度状态(未启动、推进中或已完成)</translation>
    </message>
</context>
<context>
    <name>FirstStartDialog</name>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="66"/>
        <source>Welcome to Target Monitor</source>
        <translation>欢迎使用目标任务监测</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="71"/>
        <source>Please tell us who you are. Your name is recorded with every figure you enter, and the window opens on your department&apos;s indicators.</source>
        <translation>请填写您的姓名和所在单位。您录入的每个数据都会记录填报人,窗口将默认显示本单位的指标。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="78"/>
        <source>Your name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="79"/>
        <source>Your department</source>
        <translation>所在单位</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <location filename="../../desktop/ui/panels.py" line="48"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="49"/>
        <source>Who</source>
        <translation>修改人</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="50"/>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="51"/>
        <source>Old → new</source>
        <translation>原值 → 新值</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="52"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="57"/>
        <source>value</source>
        <translation>数值</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="58"/>
        <source>state</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="59"/>
        <source>progress</source>
        <translation>进展情况</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="60"/>
        <source>problems and next steps</source>
        <translation>存在问题及下步措施</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="93"/>
        <source>typed in</source>
        <translation>手工录入</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="95"/>
        <source>import #%1 %2</source>
        <translation>导入批次 #%1 %2</translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <location filename="../../desktop/ui/panels.py" line="128"/>
        <source>History: select a month cell</source>
        <translation>修改记录:请选择月份单元格</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="133"/>
        <source>History of %1 %2</source>
        <translation>%1 %2 的修改记录</translation>
    </message>
</context>
<context>
    <name>ImportPreviewDialog</name>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="110"/>
        <source>Import %1</source>
        <translation>导入 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="113"/>
        <source>%1, %2: %3 cells will change.</source>
        <translation>%1,%2:将修改 %3 个单元格。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="130"/>
        <source>Warning: %1</source>
        <translation>警告:%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="133"/>
        <source>Conflict: %1 %2 was changed in the database after the template was exported (database: %3; file: %4)</source>
        <translation>冲突:模板导出后,%1 %2 在数据库中已被修改(数据库:%3;文件:%4)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="142"/>
        <source>No warnings.</source>
        <translation>没有警告。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="144"/>
        <source>Overwrite values changed in the database since the export with the file&apos;s</source>
        <translation>用文件中的值覆盖导出后在数据库中被修改的值</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="151"/>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
</context>
<context>
    <name>IndicatorKind</name>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="45"/>
        <source>cumulative</source>
        <translation>累计</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="46"/>
        <source>level</source>
        <translation>存量</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="47"/>
        <source>milestone</source>
        <translation>里程碑</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="135"/>
        <source>Monthly progress</source>
        <translation>进度填报</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="137"/>
        <source>Overview</source>
        <translation>总览</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="143"/>
        <source>Trend chart</source>
        <translation>趋势图</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="158"/>
        <source>Search code or name (Ctrl+F)</source>
        <translation>搜索编码或名称 (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="161"/>
        <source>All departments</source>
        <translation>全部单位</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="168"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="266"/>
        <source>The month whose figures the lights judge</source>
        <translation>三色预警所依据的数据月份</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="273"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="275"/>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="281"/>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="284"/>
        <source>&amp;Paste</source>
        <translation>粘贴(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="287"/>
        <source>&amp;Find</source>
        <translation>查找(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="290"/>
        <source>&amp;Reload</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="293"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="295"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="296"/>
        <source>&amp;Expand all</source>
        <translation>全部展开(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="298"/>
        <source>&amp;Collapse all</source>
        <translation>全部折叠(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="300"/>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="302"/>
        <source>Export &amp;templates…</source>
        <translation>导出填报模板(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="305"/>
        <source>&amp;Import filled templates…</source>
        <translation>导入填报数据(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="307"/>
        <source>&amp;Undo an import…</source>
        <translation>撤销导入(&amp;U)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="309"/>
        <source>Export status &amp;report…</source>
        <translation>导出汇总报表(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="312"/>
        <source>&amp;Print status sheet…</source>
        <translation>打印进度情况表(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="315"/>
        <source>&amp;Backups…</source>
        <translation>备份(&amp;B)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="351"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="366"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="370"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="372"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="375"/>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="380"/>
        <source>Figures as of </source>
        <translation>数据截至 </translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="398"/>
        <source>DEMO figures</source>
        <translation>演示数据</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="403"/>
        <source>This database was filled with generated demo figures (target-monitor demo); its figures were not reported by any department.</source>
        <translation>本数据库由演示功能(target-monitor demo)生成的数据填充,其中的数据不是任何单位填报的。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="414"/>
        <source>Database: %1</source>
        <translation>数据库:%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="417"/>
        <source>Nothing saved in this session</source>
        <translation>本次尚未保存</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="503"/>
        <source>Target Monitor — %1</source>
        <translation>目标任务监测 — %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="505"/>
        <source>DEMO figures, not reported ones</source>
        <translation>演示数据 · 非真实填报</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="510"/>
        <source>User: %1</source>
        <translation>填报人:%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="631"/>
        <location filename="../../desktop/ui/main_window.py" line="730"/>
        <source>Target Monitor</source>
        <translation>目标任务监测</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="641"/>
        <source>Saved at %1</source>
        <translation>已于 %1 保存</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="665"/>
        <source>Select the cell where the pasted figures should start.</source>
        <translation>请先选择粘贴的起始单元格。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="670"/>
        <source>Paste %1 cells</source>
        <translation>粘贴 %1 个单元格</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="677"/>
        <source>%1 cells pasted; these were refused:</source>
        <translation>已粘贴 %1 个单元格;以下单元格未被接受:</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="682"/>
        <source>… and %1 more</source>
        <translation>……另有 %1 处</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="686"/>
        <source>%1 cells pasted</source>
        <translation>已粘贴 %1 个单元格</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="698"/>
        <source>Reloaded from the database</source>
        <translation>已从数据库重新读取</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="731"/>
        <source>Excel workbooks (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="733"/>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="735"/>
        <source>Target Monitor databases (*.sqlite *.db);;All files (*)</source>
        <translation>目标任务监测数据库 (*.sqlite *.db);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="784"/>
        <source>Exporting templates…</source>
        <translation>正在导出填报模板…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="787"/>
        <source>%1 templates exported to %2</source>
        <translation>已导出 %1 个填报模板到 %2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="800"/>
        <source>Checking %1…</source>
        <translation>正在检查 %1…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="811"/>
        <source>Importing %1…</source>
        <translation>正在导入 %1…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="818"/>
        <source>Imported as batch %1 (%2 indicators)</source>
        <translation>已导入为批次 %1(%2 个指标)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="833"/>
        <source>Undoing import %1…</source>
        <translation>正在撤销导入批次 %1…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="839"/>
        <source>Import %1 undone</source>
        <translation>已撤销导入批次 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="852"/>
        <source>Writing the status report…</source>
        <translation>正在生成汇总报表…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="855"/>
        <source>Report written to %1</source>
        <translation>汇总报表已保存到 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="890"/>
        <source>Nothing to print: no indicator is behind as of %1.</source>
        <translation>没有可打印的内容:截至 %1 没有滞后的指标。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="912"/>
        <source>Writing the PDF…</source>
        <translation>正在生成 PDF…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="915"/>
        <source>PDF written to %1 (%2 pages)</source>
        <translation>PDF 已保存到 %1(共 %2 页)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="927"/>
        <source>%1. SQLite cannot share a database between computers safely: figures may be lost or the file damaged. Keep the database on this computer&apos;s disk and exchange Excel templates with other offices.</source>
        <translation>%1。SQLite 数据库不能在多台计算机之间安全共享:填报数据可能丢失,文件可能损坏。请把数据库放在本机磁盘上,与其他单位通过 Excel 填报模板交换数据。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="974"/>
        <source>The daily backup failed: %1</source>
        <translation>每日备份失败:%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="970"/>
        <location filename="../../desktop/ui/main_window.py" line="1007"/>
        <source>Backed up to %1</source>
        <translation>已备份到 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1001"/>
        <source>Backing up…</source>
        <translation>正在备份…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1019"/>
        <source>Restore a backup</source>
        <translation>恢复备份</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1021"/>
        <source>Replace everything in the database with the backup %1 (%2 entries)? Figures entered since it was taken are replaced too. The current content is backed up first, so this restore can itself be undone from this list.</source>
        <translation>用备份 %1（%2 条填报）替换数据库中的全部内容？备份之后录入的数据也会被替换。恢复前会先备份当前内容，因此可在此列表中撤销本次恢复。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1038"/>
        <source>Restoring %1…</source>
        <translation>正在恢复 %1…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1047"/>
        <source>Restored from %1; the content it replaced is kept in %2</source>
        <translation>已从 %1 恢复；被替换的内容保存在 %2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1056"/>
        <source>DEMO figures, generated by target-monitor demo; not reported by anyone</source>
        <translation>演示数据,由 target-monitor demo 生成,并非任何单位填报</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1058"/>
        <source>entered by the departments (monthly), with the history of every change</source>
        <translation>由各单位按月填报,每次修改均有记录</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1062"/>
        <source>&lt;h3&gt;Target Monitor&lt;/h3&gt;&lt;p&gt;Version %1 · Qt %2 · Python %3&lt;/p&gt;&lt;p&gt;&lt;b&gt;Database:&lt;/b&gt; %4&lt;br&gt;&lt;b&gt;Plan:&lt;/b&gt; %5&lt;br&gt;&lt;b&gt;Source:&lt;/b&gt; %6&lt;/p&gt;&lt;p&gt;Targets, units, deadlines and responsible departments are taken from the source document; every indicator keeps the sentence it quotes. &lt;b&gt;Figures:&lt;/b&gt; %7.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;目标任务监测&lt;/h3&gt;&lt;p&gt;版本 %1 · Qt %2 · Python %3&lt;/p&gt;&lt;p&gt;&lt;b&gt;数据库:&lt;/b&gt;%4&lt;br&gt;&lt;b&gt;计划:&lt;/b&gt;%5&lt;br&gt;&lt;b&gt;来源:&lt;/b&gt;%6&lt;/p&gt;&lt;p&gt;目标、单位、完成时限和责任单位均摘自来源文件,每个指标都保留了所依据的原文。&lt;b&gt;数据:&lt;/b&gt;%7。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1080"/>
        <source>Licence: MIT. The software it includes, with their licences: %1</source>
        <translation>许可证：MIT。所含第三方软件及其许可证：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1086"/>
        <source>Licence: MIT.</source>
        <translation>许可证：MIT。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1089"/>
        <source>About Target Monitor</source>
        <translation>关于目标任务监测</translation>
    </message>
</context>
<context>
    <name>MilestoneState</name>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="36"/>
        <source>Not started</source>
        <translation>未启动</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="37"/>
        <source>In progress</source>
        <translation>推进中</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="38"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
</context>
<context>
    <name>Month</name>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="56"/>
        <source>%2/%1</source>
        <translation>%1年%2月</translation>
    </message>
</context>
<context>
    <name>NotesPanel</name>
    <message>
        <location filename="../../desktop/ui/panels.py" line="160"/>
        <source>Save notes</source>
        <translation>保存说明</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="163"/>
        <location filename="../../desktop/ui/panels.py" line="222"/>
        <source>Save the notes of this month (Ctrl+S)</source>
        <translation>保存本月的进展说明 (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="167"/>
        <source>Progress</source>
        <translation>进展情况</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="168"/>
        <source>Problems and next steps</source>
        <translation>存在问题及下步措施</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="185"/>
        <source>Notes: select a month cell</source>
        <translation>进展说明:请选择月份单元格</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="193"/>
        <source>Nothing reported for this month yet</source>
        <translation>本月尚未填报</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="197"/>
        <source>Last saved by %1 at %2</source>
        <translation>最后由 %1 于 %2 保存</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="220"/>
        <source>A note holds at most %1 characters</source>
        <translation>说明最多 %1 个字</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/panels.py" line="232"/>
        <source>Edit notes of %1 %2</source>
        <translation>编辑 %1 %2 的说明</translation>
    </message>
</context>
<context>
    <name>Paste</name>
    <message>
        <location filename="../../desktop/ui/paste.py" line="55"/>
        <source>row %1, column %2: &apos;%3&apos; falls outside the month cells</source>
        <translation>第 %1 行第 %2 列:“%3”不在月份单元格范围内</translation>
    </message>
</context>
<context>
    <name>PlanController</name>
    <message>
        <location filename="../../desktop/ui/controller.py" line="173"/>
        <source>Not saved: %1</source>
        <translation>未保存:%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="210"/>
        <source>%1 %2 was changed by %3 at %4 while you were editing; it now holds %5. Your entry (%6) was not saved and nothing was overwritten; the grid shows the current value.</source>
        <translation>在您编辑期间,%1 %2 已被 %3 于 %4 修改,当前值为 %5。您录入的值(%6)未保存,也未覆盖任何数据;表格已显示当前值。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="193"/>
        <location filename="../../desktop/ui/controller.py" line="206"/>
        <source>nothing</source>
        <translation>空</translation>
    </message>
</context>
<context>
    <name>PlanTreeModel</name>
    <message>
        <location filename="../../desktop/ui/tree_model.py" line="143"/>
        <source>Code / name</source>
        <translation>编码/名称</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tree_model.py" line="144"/>
        <source>Lead department</source>
        <translation>牵头单位</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tree_model.py" line="145"/>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tree_model.py" line="146"/>
        <source>Latest</source>
        <translation>最新值</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tree_model.py" line="147"/>
        <source>Completion</source>
        <translation>完成率</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tree_model.py" line="148"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tree_model.py" line="213"/>
        <location filename="../../desktop/ui/tree_model.py" line="225"/>
        <source>%1 indicators</source>
        <translation>%1 个指标</translation>
    </message>
</context>
<context>
    <name>PreviewDialog</name>
    <message>
        <location filename="../../desktop/ui/print_dialog.py" line="147"/>
        <source>Print preview</source>
        <translation>打印预览</translation>
    </message>
</context>
<context>
    <name>PrintDialog</name>
    <message>
        <location filename="../../desktop/ui/print_dialog.py" line="58"/>
        <source>Print status sheet</source>
        <translation>打印进度情况表</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/print_dialog.py" line="62"/>
        <source>The whole plan</source>
        <translation>整个计划</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/print_dialog.py" line="66"/>
        <source>Selected: %1</source>
        <translation>当前选中:%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/print_dialog.py" line="72"/>
        <source>Department: %1</source>
        <translation>部门:%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/print_dialog.py" line="79"/>
        <source>Status sheet</source>
        <translation>进度情况表</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/print_dialog.py" line="82"/>
        <source>Supervision notices for red and yellow indicators</source>
        <translation>督办单(红灯、黄灯指标)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/print_dialog.py" line="85"/>
        <source>Printed documents are in Chinese: they are the city&apos;s forms.</source>
        <translation>打印的文件始终为中文:它们是市里的统一表格。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/print_dialog.py" line="88"/>
        <source>Figures as of %1 (change the month in the toolbar)</source>
        <translation>数据截至 %1(可在工具栏中更改月份)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/print_dialog.py" line="94"/>
        <source>Print</source>
        <translation>打印范围</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/print_dialog.py" line="99"/>
        <source>&amp;Preview and print…</source>
        <translation>预览并打印(&amp;V)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/print_dialog.py" line="102"/>
        <source>Export PD&amp;F…</source>
        <translation>导出 PDF(&amp;F)…</translation>
    </message>
</context>
<context>
    <name>ProgressGridModel</name>
    <message>
        <location filename="../../desktop/ui/grid_model.py" line="140"/>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/grid_model.py" line="141"/>
        <source>Indicator</source>
        <translation>指标</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/grid_model.py" line="142"/>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/grid_model.py" line="143"/>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/grid_model.py" line="144"/>
        <source>Completion</source>
        <translation>完成率</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/grid_model.py" line="145"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/grid_model.py" line="148"/>
        <source>The month being evaluated</source>
        <translation>当前评价月份</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/grid_model.py" line="250"/>
        <source>Edit %1 %2</source>
        <translation>编辑 %1 %2</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="111"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="123"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="124"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="125"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="130"/>
        <source>Your name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="131"/>
        <source>Your department</source>
        <translation>所在单位</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="132"/>
        <source>Yellow light when behind by more than</source>
        <translation>落后序时进度超过(黄灯)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="133"/>
        <source>Red light when behind by more than</source>
        <translation>落后序时进度超过(红灯)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="134"/>
        <source>Language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="135"/>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="157"/>
        <source> points</source>
        <translation> 个百分点</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="164"/>
        <source>The yellow threshold must not exceed the red one.</source>
        <translation>黄灯阈值不能大于红灯阈值。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="166"/>
        <source>A name is required.</source>
        <translation>请填写姓名。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="168"/>
        <source>The language changes the next time the program starts.</source>
        <translation>界面语言将在下次启动时生效。</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="25"/>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="26"/>
        <source>Not reported</source>
        <translation>未填报</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="27"/>
        <source>On track</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="28"/>
        <source>Lagging</source>
        <translation>滞后</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/i18n.py" line="29"/>
        <source>Seriously lagging</source>
        <translation>严重滞后</translation>
    </message>
</context>
<context>
    <name>SummaryModel</name>
    <message>
        <location filename="../../desktop/ui/dashboard.py" line="58"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dashboard.py" line="59"/>
        <source>Completion</source>
        <translation>完成率</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dashboard.py" line="60"/>
        <source>Planned progress</source>
        <translation>序时进度</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dashboard.py" line="61"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
</context>
<context>
    <name>TrendChart</name>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="72"/>
        <source>Export chart as PNG…</source>
        <translation>导出图片(PNG)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="118"/>
        <source>DEMO figures</source>
        <translation>演示数据</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="146"/>
        <source>Month</source>
        <translation>月份</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="161"/>
        <source>state</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="163"/>
        <source>Value (%1)</source>
        <translation>数值(%1)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="165"/>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="177"/>
        <location filename="../../desktop/ui/trend_chart.py" line="263"/>
        <source>Reported</source>
        <translation>填报值</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="193"/>
        <location filename="../../desktop/ui/trend_chart.py" line="318"/>
        <source>Planned progress</source>
        <translation>序时进度</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="202"/>
        <source>Target %1</source>
        <translation>目标 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="217"/>
        <source>Stretch %1</source>
        <translation>力争 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="236"/>
        <source>Forecast: %1</source>
        <translation>预计年底:%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="247"/>
        <source>Due %1</source>
        <translation>截止 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="297"/>
        <source>Completion (%)</source>
        <translation>完成率(%)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="309"/>
        <source>Completion</source>
        <translation>完成率</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="351"/>
        <source>Export chart</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/trend_chart.py" line="351"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
</context>
<context>
    <name>UndoImportDialog</name>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="209"/>
        <source>Undo an import</source>
        <translation>撤销导入</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/exchange_dialogs.py" line="219"/>
        <source>Undo import</source>
        <translation>撤销导入</translation>
    </message>
</context>
</TS>
