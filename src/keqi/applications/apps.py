from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "keqi.applications"
    verbose_name = "申报与年度填报"

    def ready(self) -> None:
        from keqi.registry import marks

        def cases(*, scope, enterprise_ids, every=False):
            from .services import case_marks

            return case_marks(scope=scope, enterprise_ids=enterprise_ids, every=every)

        marks.register("applications", cases)  # the candidate list and the firm's page show them

        from keqi.registry import measures

        def in_progress(*, kind):
            from .services import open_applications

            return open_applications(kind=kind)

        measures.register_applications(in_progress)  # the targets' forecast counts them

        from keqi.pipeline import memo

        from .models import Application, ApplicationEvent

        memo.forget_on_change(Application, ApplicationEvent)  # a page that writes one sees it in its forecast
